import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rideAlong } from '../../../shared/database/side-write';
import type { EventOutbox, OutboxRow } from '../application/ports';

/**
 * The outbox's insert, as a side-write of the caller's next statement in its transaction (or, with
 * none to come, a statement of its own just before the commit): one multi-row INSERT from one JSON
 * array, whatever the number of events: one serialisation in Node and one parse in PostgreSQL, where
 * an array of JSON texts (`jsonb[]`) made the pg driver quote every quote of every event's data. Two
 * of them in one statement are named apart by `withSideWrites`.
 */
@Injectable()
export class SqlEventOutbox implements EventOutbox<EntityManager> {
  append(tx: EntityManager, rows: OutboxRow[]): void {
    rideAlong(tx, {
      name: 'new_events',
      sql: `INSERT INTO events (id, type, account_id, resource_type, resource_id, data)
            SELECT id, type, account_id, resource_type, resource_id, data
              FROM jsonb_to_recordset($events::jsonb)
                   AS e (id uuid, type text, account_id uuid, resource_type text, resource_id uuid, data jsonb)
            RETURNING 1`,
      params: {
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
