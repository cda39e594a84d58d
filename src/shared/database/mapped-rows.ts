import {
  type EntityManager,
  type EntityTarget,
  type FindOptionsOrder,
  type FindOptionsWhere,
  LessThanOrEqual,
  type ObjectLiteral,
} from 'typeorm';
import type { Cursor } from '../domain/cursor';
import { newestFirst } from './newest-first';

/**
 * Up to `limit` rows matching `where` whose `due` time has come, oldest first, locked and skipping
 * rows another transaction holds, so that the sweepers of several workers share the overdue rows.
 */
export function lockDue<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  where: FindOptionsWhere<E>,
  due: keyof E & string,
  now: Date,
  limit: number,
): Promise<E[]> {
  return em.find(entity, {
    where: { ...where, [due]: LessThanOrEqual(now) } as FindOptionsWhere<E>,
    order: { [due]: 'ASC' } as FindOptionsOrder<E>,
    take: limit,
    lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
  });
}

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

  /** See lockDue. */
  async lockDue(
    em: EntityManager,
    where: FindOptionsWhere<E>,
    due: keyof E & string,
    now: Date,
    limit: number,
  ): Promise<T[]> {
    return (await lockDue(em, this.entity, where, due, now, limit)).map(this.toDomain);
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
