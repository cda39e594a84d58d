import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Cursor } from '../../../shared/domain/cursor';
import type { DomainEvent, EventType } from '../domain/event';
import type { EventFilter, EventRepository, UndispatchedEvent } from '../domain/event.repository';

interface EventRow {
  id: string;
  type: EventType;
  account_id: string;
  resource_id: string;
  data: { object: unknown };
  created_at: Date;
}

const COLUMNS = 'id, type, account_id, resource_id, data, created_at';

export const toEvent = (row: EventRow): DomainEvent => ({
  id: row.id,
  type: row.type,
  accountId: row.account_id,
  resourceId: row.resource_id,
  object: row.data.object,
  createdAt: row.created_at,
});

@Injectable()
export class SqlEventRepository implements EventRepository<EntityManager> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<DomainEvent | null> {
    const rows: EventRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM events WHERE id = $1`, [id]);
    return rows[0] ? toEvent(rows[0]) : null;
  }

  async listPage(filter: EventFilter, limit: number, after?: Cursor): Promise<DomainEvent[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (filter.accountId !== undefined) where.push(`account_id = ${param(filter.accountId)}`);
    if (filter.type !== undefined) where.push(`type = ${param(filter.type)}`);
    if (after) where.push(`(created_at, id) < (${param(after.createdAt)}, ${param(after.id)})`);
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
      params,
    );
    return rows.map(toEvent);
  }

  async lockUndispatched(tx: EntityManager, limit: number): Promise<UndispatchedEvent[]> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('events-relay', 0))`);
    const rows: Array<{ id: string; type: EventType; account_id: string }> = await tx.query(
      `SELECT id, type, account_id FROM events WHERE dispatched_at IS NULL
        ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((row) => ({ id: row.id, type: row.type, accountId: row.account_id }));
  }

  async markDispatched(tx: EntityManager, ids: string[]): Promise<void> {
    await tx.query(`UPDATE events SET dispatched_at = clock_timestamp() WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async backlog(): Promise<number> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM events WHERE dispatched_at IS NULL`,
    );
    return row.count;
  }

  async purgeBefore(before: Date, limit: number): Promise<number> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
         ) RETURNING 1
       )
       SELECT count(*)::int AS count FROM gone`,
      [before, limit],
    );
    return row.count;
  }
}
