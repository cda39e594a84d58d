import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';

export const REDIS = Symbol('REDIS');

const CONNECT_TIMEOUT_MS = 2000;

/**
 * Redis as an accelerator: commands fail fast while it is unreachable (no offline queue, one retry),
 * so callers can fall back to PostgreSQL instead of hanging.
 */
export function createRedisClient(config: AppConfig, name: string): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(config.REDIS_URL, {
    connectionName: `${config.REDIS_KEY_PREFIX}:${name}`,
    enableOfflineQueue: false,
    // Commands issued in one tick (a batch's after-commit work, say) go out in one socket write.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
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

/**
 * Waits, at startup, until the client is ready or has failed once (at most its connect timeout):
 * commands fail fast instead of queueing, so without this the first requests after a start would
 * find no connection yet, be let through by the rate limit uncounted and miss every cache. With
 * Redis down the app starts all the same.
 */
function connected(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, CONNECT_TIMEOUT_MS);
    client.once('ready', done);
    client.once('error', done);
  });
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
      useFactory: async (config: AppConfig) => {
        const client = createRedisClient(config, 'app');
        await connected(client);
        return client;
      },
    },
    RedisShutdown,
  ],
  exports: [REDIS],
})
export class RedisModule {}
