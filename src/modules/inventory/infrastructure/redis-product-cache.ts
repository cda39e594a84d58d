import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { afterCommit } from '../../../shared/database/after-commit';
import { REDIS } from '../../../shared/redis/redis.module';
import { PerTurn } from '../../../shared/redis/per-turn';
import { redisKey } from '../../../shared/redis/redis-keys';
import type { ProductCache } from '../application/product-cache';
import type { Product } from '../domain/product';
import { isoTime } from '../../../shared/time/iso-time';

type CachedProduct = Omit<Product, 'price' | 'createdAt' | 'updatedAt'> & {
  price: string;
  createdAt: string;
  updatedAt: string;
};

/**
 * The product cache in Redis. Entries live at most PRODUCT_CACHE_TTL_SECONDS. Redis errors are
 * swallowed: the caller reads PostgreSQL instead, and the Redis client fails fast while it is down.
 * Invalidation runs after the commit of whichever unit of work changed the stock (another module's
 * too, such as a payment).
 */
@Injectable()
export class RedisProductCache implements ProductCache {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** The reads of one product asked in one turn of the event loop share one GET. */
  private readonly reads = new PerTurn<string | null>((id) => this.redis.get(this.key(id)));

  async get(id: string): Promise<Product | null> {
    if (!this.enabled) return null;
    try {
      const raw = await this.reads.value(id);
      if (!raw) return null;
      const cached = JSON.parse(raw) as CachedProduct;
      return {
        ...cached,
        price: BigInt(cached.price),
        createdAt: new Date(cached.createdAt),
        updatedAt: new Date(cached.updatedAt),
      };
    } catch {
      return null;
    }
  }

  async set(product: Product): Promise<void> {
    if (!this.enabled) return;
    const cached: CachedProduct = {
      ...product,
      price: product.price.toString(),
      createdAt: isoTime(product.createdAt),
      updatedAt: isoTime(product.updatedAt),
    };
    await this.redis
      .set(this.key(product.id), JSON.stringify(cached), 'EX', this.config.PRODUCT_CACHE_TTL_SECONDS)
      .catch(() => undefined);
  }

  invalidateAfterCommit(em: EntityManager, productId: string): void {
    if (!this.enabled) return;
    // A failed delete is logged by the unit of work; the entry's TTL bounds how stale it can be.
    afterCommit(em, () => this.redis.del(this.key(productId)), { wait: true });
  }

  private get enabled(): boolean {
    return this.config.PRODUCT_CACHE_TTL_SECONDS > 0;
  }

  private key(id: string): string {
    return redisKey(this.config, 'product', id);
  }
}
