import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';

export const REDIS = Symbol('REDIS');

/**
 * Redis as an accelerator: commands fail fast while it is unreachable (no offline queue, one retry),
 * so callers can fall back to PostgreSQL instead of hanging.
 */
export function createRedisClient(config: AppConfig, name: string): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(config.REDIS_URL, {
    connectionName: `${config.REDIS_KEY_PREFIX}:${name}`,
    enableOfflineQueue: false,
    // Commands issued in one tick (a flash sale's sold-out checks, say) go out in one socket write.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn(`unavailable: ${error.message}`);
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log('reconnected');
    down = false;
  });
  return client;
}

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => createRedisClient(config, 'app'),
    },
    RedisShutdown,
  ],
  exports: [REDIS],
})
export class RedisModule {}
