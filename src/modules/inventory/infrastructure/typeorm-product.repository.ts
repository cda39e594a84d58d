import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { newestFirst } from '../../../shared/database/newest-first';
import { queryPrepared } from '../../../shared/database/prepared-statement';
import { withSideWrites } from '../../../shared/database/side-write';
import type { Cursor } from '../../../shared/domain/cursor';
import type { Hold } from '../domain/hold';
import type { Product, StockCounters } from '../domain/product';
import type { LockedProduct, ProductRepository } from '../domain/product.repository';
import { ProductOrmEntity } from './product.orm-entity';
import { isoTime } from '../../../shared/time/iso-time';

// eslint-disable-next-line @typescript-eslint/no-unused-vars
const toProduct = ({ stockVersion, ...product }: ProductOrmEntity): Product => product;

/** A products row as `pg` returns it (int8 as a string). */
interface LockedRow {
  id: string;
  name: string;
  price: string;
  currency: string;
  total_stock: number;
  available_stock: number;
  reserved_stock: number;
  sold_stock: number;
  max_per_account: number | null;
  stock_version: string;
  created_at: Date;
  updated_at: Date;
}

@Injectable()
export class TypeOrmProductRepository implements ProductRepository<EntityManager> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, product: Product): Promise<void> {
    await em.insert(ProductOrmEntity, product);
  }

  async findById(id: string, em: EntityManager = this.dataSource.manager): Promise<Product | null> {
    const row = await em.findOne(ProductOrmEntity, { where: { id } });
    return row ? toProduct(row) : null;
  }

  /**
   * Every hot batch's first statement, so written out: TypeORM's `findOne` built the query and mapped
   * the row through its entity machinery on each call, a visible part of a hot hold's profile.
   */
  async lockById(em: EntityManager, id: string): Promise<LockedProduct | null> {
    const rows: LockedRow[] = await queryPrepared(
      em,
      `SELECT id, name, price, currency, total_stock, available_stock, reserved_stock, sold_stock,
              max_per_account, stock_version, created_at, updated_at
         FROM products WHERE id = $1
          FOR UPDATE`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      price: BigInt(row.price),
      currency: row.currency,
      totalStock: row.total_stock,
      availableStock: row.available_stock,
      reservedStock: row.reserved_stock,
      soldStock: row.sold_stock,
      maxPerAccount: row.max_per_account,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      stockVersion: BigInt(row.stock_version),
    };
  }

  async updateCounters(
    em: EntityManager,
    id: string,
    changed: Partial<StockCounters>,
    at: Date,
  ): Promise<bigint> {
    const [{ stock_version }]: Array<{ stock_version: string }> = await queryPrepared(
      em,
      `WITH p AS (
         UPDATE products
            SET available_stock = coalesce($2, available_stock), reserved_stock = coalesce($3, reserved_stock),
                sold_stock = coalesce($4, sold_stock), updated_at = $5, stock_version = stock_version + 1
          WHERE id = $1
          RETURNING stock_version)
       SELECT stock_version FROM p`,
      [id, changed.availableStock ?? null, changed.reservedStock ?? null, changed.soldStock ?? null, at],
    );
    return BigInt(stock_version);
  }

  async reserveForHolds(
    em: EntityManager,
    productId: string,
    counters: Pick<StockCounters, 'availableStock' | 'reservedStock'>,
    holds: Hold[],
    at: Date,
  ): Promise<bigint> {
    const { sql, params } = withSideWrites(
      em,
      `WITH p AS (
         UPDATE products
            SET available_stock = $2, reserved_stock = $3, updated_at = $4, stock_version = stock_version + 1
          WHERE id = $1
          RETURNING stock_version),
       h AS (
         INSERT INTO holds (id, product_id, account_id, quantity, status, expires_at, created_at, updated_at)
         SELECT h.id, $1, h.account_id, h.quantity, 'active', h.expires_at, $4, $4
           FROM unnest($5::uuid[], $6::uuid[], $7::int[], $8::timestamptz[]) AS h(id, account_id, quantity, expires_at))
       SELECT stock_version FROM p`,
      [
        productId,
        counters.availableStock,
        counters.reservedStock,
        at,
        holds.map((h) => h.id),
        holds.map((h) => h.accountId),
        holds.map((h) => h.quantity),
        holds.map((h) => isoTime(h.expiresAt)),
      ],
    );
    const [{ stock_version }]: Array<{ stock_version: string }> = await queryPrepared(em, sql, params);
    return BigInt(stock_version);
  }

  async unitsByAccount(
    em: EntityManager,
    productId: string,
    accountIds: string[],
    now: Date,
  ): Promise<Map<string, number>> {
    const rows: Array<{ account_id: string; units: number }> = await queryPrepared(
      em,
      `SELECT account_id, SUM(quantity)::int AS units FROM (
         SELECT account_id, quantity FROM holds
          WHERE product_id = $1 AND account_id = ANY($2::uuid[]) AND status = 'active' AND expires_at > $3
         UNION ALL
         SELECT account_id, quantity FROM orders
          WHERE product_id = $1 AND account_id = ANY($2::uuid[])
            AND status IN ('pending_payment', 'paid', 'partially_refunded')
       ) units GROUP BY account_id`,
      [productId, accountIds, now],
    );
    return new Map(rows.map((row) => [row.account_id, row.units]));
  }

  async listPage(limit: number, after?: Cursor): Promise<Product[]> {
    const qb = newestFirst(
      this.dataSource.manager.createQueryBuilder(ProductOrmEntity, 'p'),
      limit + 1,
      after,
    );
    return (await qb.getMany()).map(toProduct);
  }
}
