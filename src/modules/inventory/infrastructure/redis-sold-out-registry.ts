import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../../config/app-config';
import { REDIS } from '../../../shared/redis/redis.module';
import { PerTurn } from '../../../shared/redis/per-turn';
import { redisKey } from '../../../shared/redis/redis-keys';
import type { SoldOutRegistry } from '../application/sold-out-registry';

// Marks a product sold out as of stock version ARGV[1], unless units came back at that version or
// later (a restock whose commit overtook this mark must win).
const MARK = `
local restocked = redis.call('GET', KEYS[2])
if restocked and tonumber(restocked) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

// Records that units came back at stock version ARGV[1] and ends any sold-out mark older than it.
const RESTOCK = `
local restocked = redis.call('GET', KEYS[2])
if not restocked or tonumber(restocked) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
end
local mark = redis.call('GET', KEYS[1])
if mark and tonumber(mark) < tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) end
return 0`;

/** A mark outlives no more than this: a restock whose message was lost is seen by then anyway. */
const MARK_TTL_MS = 2000;
/** Longer than any commit-to-mark delay, so that a late mark of an older version is refused. */
const RESTOCK_TTL_MS = 60_000;

/**
 * Sold-out marks shared in Redis. The commit of anything that returns units (release, expiry,
 * cancellation, refund) waits for its restock before answering. With Redis down nothing is marked
 * and every hold goes to the row.
 */
@Injectable()
export class RedisSoldOutRegistry implements SoldOutRegistry {
  private readonly logger = new Logger(RedisSoldOutRegistry.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** The lookups of one product asked in one turn of the event loop share one EXISTS. */
  private readonly lookups = new PerTurn<boolean>((productId) => this.marked(productId));

  isSoldOut(productId: string): Promise<boolean> {
    return this.lookups.value(productId);
  }

  private async marked(productId: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.markKey(productId))) === 1;
    } catch {
      return false;
    }
  }

  async markSoldOut(productId: string, version: bigint): Promise<void> {
    await this.eval(MARK, productId, version, MARK_TTL_MS);
  }

  async restocked(productId: string, version: bigint): Promise<void> {
    await this.eval(RESTOCK, productId, version, RESTOCK_TTL_MS);
  }

  private async eval(script: string, productId: string, version: bigint, ttlMs: number): Promise<void> {
    try {
      await this.redis.eval(
        script,
        2,
        this.markKey(productId),
        this.restockKey(productId),
        version.toString(),
        ttlMs,
      );
    } catch (error) {
      this.logger.debug(`sold-out mark not updated: ${(error as Error).message}`);
    }
  }

  private markKey(productId: string): string {
    return redisKey(this.config, 'soldout', productId);
  }

  private restockKey(productId: string): string {
    return redisKey(this.config, 'restocked', productId);
  }
}
