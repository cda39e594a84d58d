import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { afterCommit } from '../../../shared/database/after-commit';
import { bucketsOf, moveStock, type Product, returnsUnits, type StockMove } from '../domain/product';
import type { ProductRepository } from '../domain/product.repository';
import { PRODUCT_CACHE, PRODUCT_REPOSITORY, SOLD_OUT_REGISTRY } from '../inventory.tokens';
import { InventoryMetrics } from './inventory-metrics';
import type { ProductCache } from './product-cache';
import type { SoldOutRegistry } from './sold-out-registry';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

/**
 * The only way stock counters change: inside the caller's unit of work, under the product row lock.
 * Exported for the order and payment modules, which move the units their orders hold.
 * Callers that lock other rows too lock them before the product (holds and orders first), so that
 * lock order is the same everywhere.
 */
@Injectable()
export class StockFacade {
  constructor(
    @Inject(PRODUCT_REPOSITORY) private readonly products: ProductRepository<EntityManager>,
    @Inject(PRODUCT_CACHE) private readonly cache: ProductCache,
    @Inject(SOLD_OUT_REGISTRY) private readonly soldOut: SoldOutRegistry,
    private readonly metrics: InventoryMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Units a paid order bought: reserved -> sold. */
  sellReserved(em: EntityManager, productId: string, quantity: number): Promise<Product> {
    return this.move(em, productId, 'sell', quantity);
  }

  /** Units of a refunded order: sold -> available. */
  returnSold(em: EntityManager, productId: string, quantity: number): Promise<Product> {
    return this.move(em, productId, 'unsell', quantity);
  }

  /** Units of a released or expired hold, or of a cancelled order: reserved -> available. */
  returnReserved(em: EntityManager, productId: string, quantity: number): Promise<Product> {
    return this.move(em, productId, 'unreserve', quantity);
  }

  /** A product row as committed, for the price and currency (which never change). */
  async findProduct(em: EntityManager, productId: string): Promise<Product> {
    const product = await this.products.findById(productId, em);
    if (!product) throw new NotFoundError('Product', productId);
    return product;
  }

  private async move(
    em: EntityManager,
    productId: string,
    move: StockMove,
    quantity: number,
  ): Promise<Product> {
    const stopTimer = this.metrics.productLockWait.startTimer();
    const product = await this.products.lockById(em, productId);
    stopTimer();
    if (!product) throw new NotFoundError('Product', productId);
    const counters = moveStock(product, move, quantity);
    const [from, to] = bucketsOf(move);
    const now = new Date(this.clock.now());
    const version = await this.products.updateCounters(
      em,
      productId,
      { [from]: counters[from], [to]: counters[to] },
      now,
    );
    this.cache.invalidateAfterCommit(em, productId);
    // Waited for, so that whoever returned the units is answered only once every process can take them.
    if (returnsUnits(move)) afterCommit(em, () => this.soldOut.restocked(productId, version), { wait: true });
    return { ...product, ...counters, updatedAt: now };
  }
}
