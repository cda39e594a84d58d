import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import type { ProductCache } from '../../../src/modules/inventory/application/product-cache';
import type { SoldOutRegistry } from '../../../src/modules/inventory/application/sold-out-registry';
import type { Hold, HoldStatus } from '../../../src/modules/inventory/domain/hold';
import type { HoldRepository } from '../../../src/modules/inventory/domain/hold.repository';
import type { Product, StockCounters } from '../../../src/modules/inventory/domain/product';
import type {
  LockedProduct,
  ProductRepository,
} from '../../../src/modules/inventory/domain/product.repository';
import type { Order } from '../../../src/modules/order/domain/order';
import { afterCommit } from '../../../src/shared/database/after-commit';
import type { Cursor } from '../../../src/shared/domain/cursor';
import { checkViolation, type InMemoryDatabase, newestFirstPage } from './database';
import { ORDERS } from './order';

export const PRODUCTS = 'products';
export const HOLDS = 'holds';

type ProductRow = LockedProduct;

const toProduct = ({ stockVersion: _version, ...product }: ProductRow): Product => product;

/** The CHECK constraints of the products table: no bucket below zero, and the split adds up. */
function checkStock(row: ProductRow): void {
  if (row.availableStock < 0 || row.reservedStock < 0 || row.soldStock < 0) {
    throw checkViolation('products_stock_check');
  }
  if (row.totalStock !== row.availableStock + row.reservedStock + row.soldStock) {
    throw checkViolation('products_stock_split');
  }
}

/**
 * ProductRepository over the in-memory database. As the TypeORM one: a new product's stock version
 * is 0 and every counter write raises it by one; the CHECK constraints on the counters hold; a
 * counter write to a product that does not exist fails (the SQL reads a row that is not there);
 * `unitsByAccount` counts holds still active at `now` and pending, paid and partially refunded
 * orders, leaving out accounts with none; `listPage` is newest first by (created_at, id), with one
 * row more than asked for.
 */
export class InMemoryProductRepository implements ProductRepository<EntityManager> {
  constructor(private readonly db: InMemoryDatabase) {}

  async insert(tx: EntityManager, product: Product): Promise<void> {
    const row = { ...product, stockVersion: 0n };
    checkStock(row);
    this.db.table<ProductRow>(PRODUCTS, tx).insert(product.id, row);
  }

  async findById(id: string, tx?: EntityManager): Promise<Product | null> {
    const row = this.db.table<ProductRow>(PRODUCTS, tx).get(id);
    return row && toProduct(row);
  }

  async lockById(tx: EntityManager, id: string): Promise<LockedProduct | null> {
    this.db.lock(PRODUCTS, id, tx);
    return this.db.table<ProductRow>(PRODUCTS, tx).get(id);
  }

  async updateCounters(
    tx: EntityManager,
    id: string,
    changed: Partial<StockCounters>,
    at: Date,
  ): Promise<bigint> {
    return this.write(tx, id, (row) => ({ ...row, ...changed, updatedAt: at }));
  }

  async reserveForHolds(
    tx: EntityManager,
    productId: string,
    counters: Pick<StockCounters, 'availableStock' | 'reservedStock'>,
    holds: Hold[],
    at: Date,
  ): Promise<bigint> {
    const version = this.write(tx, productId, (row) => ({ ...row, ...counters, updatedAt: at }));
    const table = this.db.table<Hold>(HOLDS, tx);
    for (const hold of holds) {
      table.insert(hold.id, { ...hold, productId, status: 'active', createdAt: at, updatedAt: at });
    }
    return version;
  }

  async unitsByAccount(
    tx: EntityManager,
    productId: string,
    accountIds: string[],
    now: Date,
  ): Promise<Map<string, number>> {
    const units = new Map<string, number>();
    const add = (accountId: string, quantity: number) =>
      units.set(accountId, (units.get(accountId) ?? 0) + quantity);
    for (const hold of this.db.table<Hold>(HOLDS, tx).values()) {
      if (
        hold.productId === productId &&
        accountIds.includes(hold.accountId) &&
        hold.status === 'active' &&
        hold.expiresAt.getTime() > now.getTime()
      ) {
        add(hold.accountId, hold.quantity);
      }
    }
    for (const order of this.db.table<Order>(ORDERS, tx).values()) {
      if (
        order.productId === productId &&
        accountIds.includes(order.accountId) &&
        ['pending_payment', 'paid', 'partially_refunded'].includes(order.status)
      ) {
        add(order.accountId, order.quantity);
      }
    }
    return units;
  }

  async listPage(limit: number, after?: Cursor): Promise<Product[]> {
    return newestFirstPage(this.db.table<ProductRow>(PRODUCTS).values(), limit + 1, after).map(toProduct);
  }

  /** A product as committed, with its stock version. */
  committed(id: string): LockedProduct | null {
    return this.db.table<ProductRow>(PRODUCTS).get(id);
  }

  private write(tx: EntityManager, id: string, change: (row: ProductRow) => ProductRow): bigint {
    const table = this.db.table<ProductRow>(PRODUCTS, tx);
    const row = table.get(id);
    if (!row) throw new TypeError(`in-memory products: no row ${id} to update`);
    const next = { ...change(row), stockVersion: row.stockVersion + 1n };
    checkStock(next);
    table.put(id, next);
    return next.stockVersion;
  }
}

/**
 * HoldRepository over the in-memory database. As the TypeORM one: `findById` reads the committed
 * row; `lockById` of an unknown id is null, not an error; `lockOverdue` gives active holds whose
 * `expires_at` is at or before `now`, oldest deadline first, at most `limit`, passing by rows
 * another session holds (SKIP LOCKED); `setStatus` of ids that do not exist writes nothing.
 */
export class InMemoryHoldRepository implements HoldRepository<EntityManager> {
  constructor(private readonly db: InMemoryDatabase) {}

  async findById(id: string): Promise<Hold | null> {
    return this.db.table<Hold>(HOLDS).get(id);
  }

  async lockById(tx: EntityManager, id: string): Promise<Hold | null> {
    this.db.lock(HOLDS, id, tx);
    return this.db.table<Hold>(HOLDS, tx).get(id);
  }

  async lockOverdue(tx: EntityManager, now: Date, limit: number): Promise<Hold[]> {
    return this.db
      .table<Hold>(HOLDS, tx)
      .filter((h) => h.status === 'active' && h.expiresAt.getTime() <= now.getTime())
      .filter((h) => !this.db.isLockedElsewhere(HOLDS, h.id))
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit);
  }

  async setStatus(tx: EntityManager, ids: string[], status: HoldStatus, at: Date): Promise<void> {
    const table = this.db.table<Hold>(HOLDS, tx);
    for (const id of ids) table.update(id, (hold) => ({ ...hold, status, updatedAt: at }));
  }

  committed(id: string): Hold | null {
    return this.db.table<Hold>(HOLDS).get(id);
  }
}

/**
 * ProductCache as the Redis one behaves with a TTL above zero: entries by product id, and an
 * invalidation that deletes the entry only once the transaction commits, which waits for it.
 * Entries do not expire here (Redis drops them after PRODUCT_CACHE_TTL_SECONDS).
 */
export class InMemoryProductCache implements ProductCache {
  readonly entries = new Map<string, Product>();

  async get(id: string): Promise<Product | null> {
    const cached = this.entries.get(id);
    return cached ? structuredClone(cached) : null;
  }

  async set(product: Product): Promise<void> {
    this.entries.set(product.id, structuredClone(product));
  }

  invalidateAfterCommit(em: EntityManager, productId: string): void {
    afterCommit(em, () => this.entries.delete(productId), { wait: true });
  }
}

/**
 * SoldOutRegistry with the Redis scripts' rule: a mark carries the stock version of the commit that
 * left no unit, and is refused when units came back at that version or later; a restock ends any
 * older mark. Marks do not expire here (Redis keeps one two seconds).
 */
export class InMemorySoldOutRegistry implements SoldOutRegistry {
  private readonly marks = new Map<string, bigint>();
  private readonly restocks = new Map<string, bigint>();

  async isSoldOut(productId: string): Promise<boolean> {
    return this.marks.has(productId);
  }

  async markSoldOut(productId: string, version: bigint): Promise<void> {
    const restocked = this.restocks.get(productId);
    if (restocked !== undefined && restocked >= version) return;
    this.marks.set(productId, version);
  }

  async restocked(productId: string, version: bigint): Promise<void> {
    const restocked = this.restocks.get(productId);
    if (restocked === undefined || restocked < version) this.restocks.set(productId, version);
    const mark = this.marks.get(productId);
    if (mark !== undefined && mark < version) this.marks.delete(productId);
  }

  /** The stock version a product is marked sold out at, if it is. */
  markOf(productId: string): bigint | undefined {
    return this.marks.get(productId);
  }
}

/** A product as committed, with defaults for what a test does not care about. */
export function seedProduct(db: InMemoryDatabase, product: Partial<Product> = {}): Product {
  const now = new Date(db.clock.now());
  const stock = product.totalStock ?? 10;
  const row: ProductRow = {
    id: randomUUID(),
    name: 'Widget',
    price: 1500n,
    currency: 'USD',
    totalStock: stock,
    availableStock: stock,
    reservedStock: 0,
    soldStock: 0,
    maxPerAccount: null,
    createdAt: now,
    updatedAt: now,
    ...product,
    stockVersion: 0n,
  };
  checkStock(row);
  return toProduct(db.seed(PRODUCTS, row.id, row));
}

/** A hold as committed (its units must be counted as reserved on the product by the caller). */
export function seedHold(
  db: InMemoryDatabase,
  hold: Partial<Hold> & Pick<Hold, 'productId' | 'accountId'>,
): Hold {
  const now = new Date(db.clock.now());
  const row: Hold = {
    id: randomUUID(),
    quantity: 1,
    status: 'active',
    expiresAt: new Date(now.getTime() + 120_000),
    createdAt: now,
    updatedAt: now,
    ...hold,
  };
  return db.seed(HOLDS, row.id, row);
}

/**
 * A product with a hold of `quantity` of its units by `accountId` (active unless `status` says
 * otherwise), the product's counters as that hold leaves them. Not for a consumed hold, whose units
 * an order holds.
 */
export function seedHeldProduct(
  db: InMemoryDatabase,
  accountId: string,
  options: { quantity?: number; stock?: number; price?: bigint; expiresAt?: Date; status?: HoldStatus } = {},
): { product: Product; hold: Hold } {
  const quantity = options.quantity ?? 2;
  const stock = options.stock ?? 10;
  // Only an active hold keeps units reserved; a released or expired one gave them back.
  if (options.status === 'consumed') throw new Error('seed the order that consumed the hold instead');
  const reserved = (options.status ?? 'active') === 'active' ? quantity : 0;
  const product = seedProduct(db, {
    totalStock: stock,
    availableStock: stock - reserved,
    reservedStock: reserved,
    ...(options.price !== undefined ? { price: options.price } : {}),
  });
  const hold = seedHold(db, {
    productId: product.id,
    accountId,
    quantity,
    ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
    ...(options.status ? { status: options.status } : {}),
  });
  return { product, hold };
}
