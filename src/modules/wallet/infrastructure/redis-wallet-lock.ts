import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type Redis from 'ioredis';
import type { Counter } from 'prom-client';
import { AppConfig } from '../../../config/app-config';
import { MetricsRegistry } from '../../../shared/observability/metrics';
import { REDIS } from '../../../shared/redis/redis.module';
import { redisKey } from '../../../shared/redis/redis-keys';
import type { WalletLock } from '../application/wallet-lock';

// Deletes the lock only if it still holds our token: an expired lock taken over by another
// request is not ours to release.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** How long a request waits for the Redis lock before going to the row lock anyway. */
const MAX_WAIT_MS = 250;

/**
 * An optional Redis lock (WALLET_REDIS_LOCK=on) in front of a wallet's row lock, so that API
 * processes take turns on a wallet in Redis rather than each queueing connections on its row. It is
 * only an optimisation: when Redis is down or the lock is slow to come, the work runs anyway and the
 * row lock (with the ledger's constraints) keeps it correct. Within a process it is shared: the
 * batches of one wallet that are in flight together (see HotRowBatcher) take it once.
 */
@Injectable()
export class RedisWalletLock implements WalletLock {
  private readonly logger = new Logger(RedisWalletLock.name);
  private readonly outcomes: Counter<string>;
  private readonly held = new Map<string, { token: Promise<string | null>; holders: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = metrics.counter('wallet_redis_lock_total', 'Redis wallet lock attempts by outcome', [
      'outcome',
    ]);
  }

  async withLock<T>(walletId: string, work: () => Promise<T>): Promise<T> {
    if (this.config.WALLET_REDIS_LOCK === 'off') return work();
    const key = redisKey(this.config, 'lock', 'wallet', walletId);
    let hold = this.held.get(key);
    if (!hold) {
      hold = { token: this.acquire(key), holders: 0 };
      this.held.set(key, hold);
    }
    hold.holders++;
    await hold.token;
    try {
      return await work();
    } finally {
      if (--hold.holders === 0) {
        this.held.delete(key);
        const token = await hold.token;
        if (token) {
          this.redis.eval(RELEASE, 1, key, token).catch((error: Error) => {
            this.logger.debug(`lock release failed, it expires on its own: ${error.message}`);
          });
        }
      }
    }
  }

  private async acquire(key: string): Promise<string | null> {
    const token = randomUUID();
    // Outlives any transaction that holds it (a lock wait is bounded by LOCK_TIMEOUT_MS).
    const ttlMs = 2 * this.config.LOCK_TIMEOUT_MS + 1000;
    const deadline = Date.now() + MAX_WAIT_MS;
    try {
      for (;;) {
        if ((await this.redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK') {
          this.outcomes.inc({ outcome: 'acquired' });
          return token;
        }
        if (Date.now() >= deadline) {
          this.outcomes.inc({ outcome: 'timed_out' });
          return null;
        }
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
      }
    } catch {
      this.outcomes.inc({ outcome: 'unavailable' });
      return null;
    }
  }
}
