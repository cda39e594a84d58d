import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Cursor } from '../domain/cursor';

/**
 * Orders a list query newest first by (`createdAt`, id) and keeps the `rows` strictly after
 * `after`. `createdAt` is the column expression to order by (truncated to milliseconds where the
 * column is finer than a cursor, so that no row is skipped or repeated).
 */
export function newestFirst<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  rows: number,
  after?: Cursor,
  createdAt = `${query.alias}.created_at`,
): SelectQueryBuilder<T> {
  const id = `${query.alias}.id`;
  query.orderBy(createdAt, 'DESC').addOrderBy(id, 'DESC').limit(rows);
  if (after) query.andWhere(`(${createdAt}, ${id}) < (:at, :id)`, { at: after.createdAt, id: after.id });
  return query;
}
