import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rideAlong } from '../../../shared/database/side-write';
import type { EventOutbox, OutboxRow } from '../application/ports';

/**
 * The outbox's insert, as a side-write of the caller's next statement in its transaction (or, with
 * none to come, a statement of its own just before the commit): one row of `event_outbox` holding
 * the statement's events as one JSON array, whatever their number. The relay moves them into `events`
 * out of the hot row's lock (see the EventOutboxBatches migration for what that saves). Two of them
 * in one statement are named apart by `withSideWrites`.
 */
@Injectable()
export class SqlEventOutbox implements EventOutbox<EntityManager> {
  append(tx: EntityManager, rows: OutboxRow[]): void {
    rideAlong(tx, {
      name: 'new_events',
      sql: `INSERT INTO event_outbox (events, event_count) VALUES ($events::json, $count::int) RETURNING 1`,
      params: {
        count: rows.length,
        events: JSON.stringify(
          rows.map((row) => ({
            id: row.id,
            type: row.type,
            account_id: row.accountId,
            resource_type: row.resourceType,
            resource_id: row.resourceId,
            data: row.data,
          })),
        ),
      },
    });
  }
}
