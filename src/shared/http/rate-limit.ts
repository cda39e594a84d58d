import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { redisKey } from '../redis/redis-keys';
import { AuthenticatedRequest, bearerToken } from './auth';
import { createHash } from 'crypto';

// One round trip: count the hit, start the window on the first one, report its remaining time.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/**
 * Fixed-window counters in Redis, shared by every instance. While Redis is unreachable the limit
 * is not enforced (fail open): rate limiting protects capacity, it never decides correctness.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);

  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    try {
      const [hits, pttl] = (await this.redis.eval(INCREMENT, 1, redisKey(this.config, 'rate', key), ttl)) as [
        number,
        number,
      ];
      const timeToExpire = Math.max(1, Math.ceil(Math.max(pttl, 0) / 1000));
      const isBlocked = hits > limit;
      return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
    } catch (error) {
      this.logger.debug(`rate limit not enforced: ${(error as Error).message}`);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}

/** Counts per API key on authenticated routes and per client IP on public ones. */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: AuthenticatedRequest): Promise<string> {
    if (req.principal) return `account:${req.principal.accountId}`;
    const key = bearerToken(req);
    if (key) return `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
    return `ip:${req.ip ?? 'unknown'}`;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }
}
