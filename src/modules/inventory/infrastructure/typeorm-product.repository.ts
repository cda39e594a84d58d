import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Cursor } from '../../../shared/http/pagination';
import type { Product, StockCounters } from '../domain/product';
import { ProductOrmEntity } from './product.orm-entity';

const toProduct = (row: ProductOrmEntity): Product => ({ ...row });

@Injectable()
export class TypeOrmProductRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, product: Product): Promise<void> {
    await em.insert(ProductOrmEntity, product);
  }

  /** A committed snapshot, outside any transaction. */
  async findById(id: string, em: EntityManager = this.dataSource.manager): Promise<Product | null> {
    const row = await em.findOne(ProductOrmEntity, { where: { id } });
    return row ? toProduct(row) : null;
  }

  async lockById(em: EntityManager, id: string): Promise<Product | null> {
    const row = await em.findOne(ProductOrmEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    return row ? toProduct(row) : null;
  }

  async updateCounters(em: EntityManager, id: string, counters: StockCounters, at: Date): Promise<void> {
    await em.update(ProductOrmEntity, { id }, { ...counters, updatedAt: at });
  }

  /** Newest first, `limit + 1` rows so that the caller knows whether another page exists. */
  async listPage(limit: number, after?: Cursor): Promise<Product[]> {
    const qb = this.dataSource.manager
      .createQueryBuilder(ProductOrmEntity, 'p')
      .orderBy('p.created_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(limit + 1);
    if (after) {
      qb.where('(p.created_at, p.id) < (:at, :id)', { at: after.createdAt, id: after.id });
    }
    return (await qb.getMany()).map(toProduct);
  }
}
