import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rideAlong } from '../../../shared/database/side-write';
import type { EventOutbox, OutboxRow } from '../application/ports';

/**
 * The outbox's insert, as a side-write of the caller's next statement in its transaction (or, with
 * none to come, a statement of its own just before the commit): one multi-row INSERT from arrays,
 * whatever the number of events. Two of them in one statement are named apart by `withSideWrites`.
 */
@Injectable()
export class SqlEventOutbox implements EventOutbox<EntityManager> {
  append(tx: EntityManager, rows: OutboxRow[]): void {
    rideAlong(tx, {
      name: 'new_events',
      sql: `INSERT INTO events (id, type, account_id, resource_type, resource_id, data)
            SELECT * FROM unnest($ids::uuid[], $types::text[], $accounts::uuid[],
                                 $resource_types::text[], $resource_ids::uuid[], $data::jsonb[])
            RETURNING 1`,
      params: {
        ids: rows.map((row) => row.id),
        types: rows.map((row) => row.type),
        accounts: rows.map((row) => row.accountId),
        resource_types: rows.map((row) => row.resourceType),
        resource_ids: rows.map((row) => row.resourceId),
        data: rows.map((row) => row.data),
      },
    });
  }
}
