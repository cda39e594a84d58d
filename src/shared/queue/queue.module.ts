import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/**
 * Bull on the shared Redis. Jobs carry ids only and use deterministic job ids so that duplicates
 * collapse; everything a job does is also backed by a sweeper, so a lost job delays but never loses work.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        redis: config.REDIS_URL,
        prefix: `${config.REDIS_KEY_PREFIX}:bull`,
        defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 },
      }),
    }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
