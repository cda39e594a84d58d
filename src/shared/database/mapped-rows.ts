import type { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type { Cursor } from '../domain/cursor';
import { newestFirst } from './newest-first';

/**
 * The reads of one entity, each row mapped to its domain type: what a TypeORM repository would
 * otherwise write again for every finder (query, then `row ? toDomain(row) : null`).
 */
export class MappedRows<E extends ObjectLiteral, T> {
  constructor(
    private readonly entity: EntityTarget<E>,
    private readonly toDomain: (row: E) => T,
  ) {}

  async findOne(em: EntityManager, where: FindOptionsWhere<E>): Promise<T | null> {
    const row = await em.findOne(this.entity, { where });
    return row ? this.toDomain(row) : null;
  }

  /** The row, locked until the transaction ends (`FOR UPDATE`). */
  async lockOne(em: EntityManager, where: FindOptionsWhere<E>): Promise<T | null> {
    const row = await em.findOne(this.entity, { where, lock: { mode: 'pessimistic_write' } });
    return row ? this.toDomain(row) : null;
  }

  /** A page of the rows whose `column` is `value`, newest first, after `cursor`. */
  async newestFirst(
    em: EntityManager,
    column: string,
    value: unknown,
    limit: number,
    cursor?: Cursor,
  ): Promise<T[]> {
    const query = em.createQueryBuilder(this.entity, 'r').where(`r.${column} = :value`, { value });
    return (await newestFirst(query, limit, cursor).getMany()).map(this.toDomain);
  }
}
