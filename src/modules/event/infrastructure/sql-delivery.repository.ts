import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Cursor } from '../../../shared/domain/cursor';
import type { Delivery, DeliveryStatus } from '../domain/delivery';
import type {
  AttemptRecord,
  ClaimedDelivery,
  DeliveryRepository,
  NewDelivery,
} from '../domain/delivery.repository';
import type { EventType } from '../domain/event';

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  attempt: number;
  status: DeliveryStatus;
  response_status: number | null;
  duration_ms: number | null;
  error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  manual: boolean;
  created_at: Date;
}

const COLUMNS =
  'id, endpoint_id, event_id, attempt, status, response_status, duration_ms, error, next_attempt_at, delivered_at, manual, created_at';

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  attempt: row.attempt,
  status: row.status,
  responseStatus: row.response_status,
  durationMs: row.duration_ms,
  error: row.error,
  nextAttemptAt: row.next_attempt_at,
  deliveredAt: row.delivered_at,
  manual: row.manual,
  createdAt: row.created_at,
});

/**
 * Pending deliveries that may be attempted now: due, to an enabled endpoint, and first in line for
 * their resource at that endpoint (no earlier event of the resource pending to it). An earlier event
 * still in the outbox has none yet, but cannot be behind a dispatched one: the relay fans events out
 * one batch at a time in the outbox's order (`EventRepository.takeUndispatched`). `$1` is now.
 */
const DUE = `
  d.status = 'pending' AND d.next_attempt_at <= $1
  AND EXISTS (SELECT 1 FROM webhook_endpoints ep WHERE ep.id = d.endpoint_id AND ep.status = 'enabled')
  AND NOT EXISTS (
    SELECT 1 FROM webhook_deliveries p
     WHERE p.endpoint_id = d.endpoint_id AND p.resource_type = d.resource_type
       AND p.resource_id = d.resource_id AND p.event_seq < d.event_seq AND p.status = 'pending')`;

@Injectable()
export class SqlDeliveryRepository implements DeliveryRepository<EntityManager> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertPending(tx: EntityManager, deliveries: NewDelivery[], now: Date): Promise<void> {
    if (deliveries.length === 0) return;
    await tx.query(
      `INSERT INTO webhook_deliveries
         (id, endpoint_id, event_id, event_seq, resource_type, resource_id, status, next_attempt_at, created_at)
       SELECT d.id, d.endpoint_id, e.id, e.seq, e.resource_type, e.resource_id, 'pending', $4, $4
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS d (id, endpoint_id, event_id)
         JOIN events e ON e.id = d.event_id
       ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.endpointId),
        deliveries.map((d) => d.eventId),
        now,
      ],
    );
  }

  async findById(id: string): Promise<Delivery | null> {
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_deliveries WHERE id = $1`,
      [id],
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async listPage(
    endpointId: string,
    status: DeliveryStatus | undefined,
    limit: number,
    after?: Cursor,
  ): Promise<Delivery[]> {
    const params: unknown[] = [endpointId];
    const param = (value: unknown) => `$${params.push(value)}`;
    const where = ['endpoint_id = $1'];
    if (status !== undefined) where.push(`status = ${param(status)}`);
    if (after) where.push(`(created_at, id) < (${param(after.createdAt)}, ${param(after.id)})`);
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_deliveries WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
      params,
    );
    return rows.map(toDelivery);
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number, ids?: string[]): Promise<ClaimedDelivery[]> {
    const rows: Array<
      DeliveryRow & {
        url: string;
        endpoint_account_id: string;
        failing_since: Date | null;
        type: EventType;
        event_account_id: string;
        event_created_at: Date;
        data: { object: unknown };
      }
    > = await this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d
          WHERE ${DUE} ${ids ? 'AND d.id = ANY($4::uuid[])' : ''}
          ORDER BY d.next_attempt_at
          LIMIT $3
          FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d SET next_attempt_at = $2 FROM due WHERE d.id = due.id
         RETURNING d.*
       )
       SELECT c.*, ep.url, ep.account_id AS endpoint_account_id, ep.failing_since,
              e.type, e.account_id AS event_account_id, e.created_at AS event_created_at, e.data
         FROM claimed c
         JOIN webhook_endpoints ep ON ep.id = c.endpoint_id
         JOIN events e ON e.id = c.event_id`,
      ids ? [now, leaseUntil, limit, ids] : [now, leaseUntil, limit],
    );
    return rows.map((row) => ({
      delivery: toDelivery(row),
      endpoint: {
        id: row.endpoint_id,
        url: row.url,
        accountId: row.endpoint_account_id,
        failingSince: row.failing_since,
      },
      event: {
        id: row.event_id,
        type: row.type,
        accountId: row.event_account_id,
        createdAt: row.event_created_at,
        object: row.data.object,
      },
    }));
  }

  async settle(d: AttemptRecord, lease: Date, previousAttempt: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH settled AS (
         UPDATE webhook_deliveries
            SET attempt = $2, status = $3, response_status = $4, duration_ms = $5, error = $6,
                next_attempt_at = $7, delivered_at = $8, manual = false
          WHERE id = $1 AND status = 'pending' AND next_attempt_at = $9 AND attempt = $10
         RETURNING 1
       )
       SELECT 1 FROM settled`,
      [
        d.id,
        d.attempt,
        d.status,
        d.responseStatus,
        d.durationMs,
        d.error === null ? null : d.error.slice(0, 500),
        d.nextAttemptAt,
        d.deliveredAt,
        lease,
        previousAttempt,
      ],
    );
    return rows.length === 1;
  }

  async reopen(tx: EntityManager, endpointId: string, id: string, now: Date): Promise<Delivery | null> {
    const rows: DeliveryRow[] = await tx.query(
      `WITH reopened AS (
         UPDATE webhook_deliveries
            SET manual = (status <> 'pending'), status = 'pending', next_attempt_at = $3
          WHERE id = $2 AND endpoint_id = $1
         RETURNING ${COLUMNS}
       )
       SELECT * FROM reopened`,
      [endpointId, id, now],
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }
}
