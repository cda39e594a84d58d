import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { REDIS } from '../../../shared/redis/redis.module';
import { redisKey } from '../../../shared/redis/redis-keys';
import type { Product } from '../domain/product';

type CachedProduct = Omit<Product, 'price' | 'createdAt' | 'updatedAt'> & {
  price: string;
  createdAt: string;
  updatedAt: string;
};

/**
 * Read-through cache of single products in Redis. Entries live at most PRODUCT_CACHE_TTL_SECONDS;
 * every stock change deletes its entry once the transaction that made it has committed. Redis errors
 * are swallowed: the caller reads PostgreSQL instead, and the Redis client fails fast while it is down.
 *
 * Invalidation is tied to the commit of the transaction that changed the stock through a TypeORM
 * subscriber, so that it also happens when another module's unit of work moves units (a payment),
 * and it is awaited before that transaction returns: a client reading right after its own write
 * never sees the entry from before it.
 */
@Injectable()
export class ProductCache implements EntitySubscriberInterface {
  private readonly logger = new Logger(ProductCache.name);
  private readonly pending = new WeakMap<QueryRunner, Set<string>>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    @InjectDataSource() dataSource: DataSource,
  ) {
    dataSource.subscribers.push(this);
  }

  async get(id: string): Promise<Product | null> {
    if (!this.enabled) return null;
    try {
      const raw = await this.redis.get(this.key(id));
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
      createdAt: product.createdAt.toISOString(),
      updatedAt: product.updatedAt.toISOString(),
    };
    await this.redis
      .set(this.key(product.id), JSON.stringify(cached), 'EX', this.config.PRODUCT_CACHE_TTL_SECONDS)
      .catch(() => undefined);
  }

  /** Deletes the product's entry after `em`'s transaction commits; nothing if it rolls back. */
  invalidateAfterCommit(em: EntityManager, productId: string): void {
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new Error('stock changes must run inside a unit of work');
    }
    const ids = this.pending.get(runner) ?? new Set<string>();
    ids.add(productId);
    this.pending.set(runner, ids);
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const ids = this.pending.get(event.queryRunner);
    if (!ids) return;
    this.pending.delete(event.queryRunner);
    if (!this.enabled) return;
    try {
      await this.redis.del(...[...ids].map((id) => this.key(id)));
    } catch (error) {
      // The entry's TTL bounds how stale it can be.
      this.logger.warn(`product cache invalidation failed: ${(error as Error).message}`);
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.pending.delete(event.queryRunner);
  }

  private get enabled(): boolean {
    return this.config.PRODUCT_CACHE_TTL_SECONDS > 0;
  }

  private key(id: string): string {
    return redisKey(this.config, 'product', id);
  }
}
