import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Cursor } from '../../../shared/domain/cursor';
import type { DomainEvent, EventType } from '../domain/event';
import type {
  EventFilter,
  EventRepository,
  TakenEvents,
  UndispatchedEvent,
} from '../domain/event.repository';

interface EventRow {
  id: string;
  type: EventType;
  account_id: string;
  resource_id: string;
  data: { object: unknown };
  created_at: Date;
}

const COLUMNS = 'id, type, account_id, resource_id, data, created_at';

/** The events of the outbox's rows, in their order, with the columns of `events`. */
const OUTBOX_EVENTS = (outbox: string) => `
  ROWS FROM (json_to_recordset(${outbox}.events)
    AS (id uuid, type varchar(64), account_id uuid, resource_type varchar(32), resource_id uuid, data json))
    WITH ORDINALITY AS e (id, type, account_id, resource_type, resource_id, data, n)`;

/**
 * Every event, dispatched (`events`) or still in the outbox, as one relation: a statement reads
 * both on one snapshot, and the relay moves an outbox row's events in one transaction, so each
 * event is seen exactly once. Conditions on it reach both sides (the `events` side keeps its
 * indexes); the outbox side is as long as the relay's backlog.
 */
const ALL_EVENTS = `(
  SELECT ${COLUMNS} FROM events
  UNION ALL
  SELECT e.id, e.type, e.account_id, e.resource_id, e.data, o.created_at FROM event_outbox o, ${OUTBOX_EVENTS('o')}
) AS events`;

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
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${ALL_EVENTS} WHERE id = $1`,
      [id],
    );
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
      `SELECT ${COLUMNS} FROM ${ALL_EVENTS} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
      params,
    );
    return rows.map(toEvent);
  }

  async takeUndispatched(tx: EntityManager, limit: number, everyAccount: string): Promise<TakenEvents> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('events-relay', 0))`);
    // Only the events that an endpoint may want come back: most accounts have none, and reading each
    // moved event back cost the relay's process more than the rest of its turn.
    const [row]: Array<{
      rows: number;
      moved: number;
      listened: Array<{ id: string; type: EventType; account_id: string }>;
    }> = await tx.query(
      `WITH taken AS (
           DELETE FROM event_outbox WHERE seq IN (SELECT seq FROM event_outbox ORDER BY seq LIMIT $1)
           RETURNING seq, created_at, events
         ), moved AS (
           INSERT INTO events (id, type, account_id, resource_type, resource_id, data, created_at)
           SELECT e.id, e.type, e.account_id, e.resource_type, e.resource_id, e.data, taken.created_at
             FROM taken, ${OUTBOX_EVENTS('taken')}
            ORDER BY taken.seq, e.n
           RETURNING seq, id, type, account_id
         ), listening AS (
           SELECT DISTINCT account_id FROM webhook_endpoints WHERE status = 'enabled'
         )
         SELECT (SELECT count(*) FROM taken)::int AS rows,
                (SELECT count(*) FROM moved)::int AS moved,
                coalesce((
                  SELECT json_agg(json_build_object('id', m.id, 'type', m.type, 'account_id', m.account_id) ORDER BY m.seq)
                    FROM moved m
                   WHERE m.account_id IN (SELECT account_id FROM listening)
                      OR $2::uuid IN (SELECT account_id FROM listening)
                ), '[]') AS listened`,
      [limit, everyAccount],
    );
    return {
      rows: row.rows,
      moved: row.moved,
      listened: row.listened.map((e): UndispatchedEvent => ({
        id: e.id,
        type: e.type,
        accountId: e.account_id,
      })),
    };
  }

  async backlog(): Promise<number> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT coalesce(sum(event_count), 0)::int AS count FROM event_outbox`,
    );
    return row.count;
  }

  async purgeBefore(before: Date, limit: number): Promise<number> {
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
         ) RETURNING 1
       ), gone_undispatched AS (
         DELETE FROM event_outbox WHERE seq IN (
           SELECT seq FROM event_outbox WHERE created_at < $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
         ) RETURNING event_count
       )
       SELECT ((SELECT count(*) FROM gone) + (SELECT coalesce(sum(event_count), 0) FROM gone_undispatched))::int AS count`,
      [before, limit],
    );
    return row.count;
  }
}
