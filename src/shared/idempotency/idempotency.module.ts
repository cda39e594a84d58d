import { BullAdapter } from '@bull-board/api/bullAdapter';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { workerProviders } from '../queue/role';
import { IDEMPOTENCY_QUEUE, IdempotencyPurgeProcessor } from './idempotency-purge.processor';
import { IdempotencyStore } from './idempotency.store';

/** The key store behind the global IdempotencyInterceptor (registered in AppModule) and every UnitOfWork. */
@Global()
@Module({
  imports: [
    BullModule.registerQueue({ name: IDEMPOTENCY_QUEUE }),
    BullBoardModule.forFeature({ name: IDEMPOTENCY_QUEUE, adapter: BullAdapter }),
  ],
  providers: [IdempotencyStore, ...workerProviders(IdempotencyPurgeProcessor)],
  exports: [IdempotencyStore],
})
export class IdempotencyModule {}
