import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rideAlong } from '../../../shared/database/side-write';
import type { EventOutbox, OutboxRow } from '../application/ports';

/** Names the side-writes of one process apart, for a statement that carries several. */
let written = 0;

/**
 * The outbox's insert, as a side-write of the caller's next statement in its transaction (or, with
 * none to come, a statement of its own just before the commit): one multi-row INSERT from arrays,
 * whatever the number of events.
 */
@Injectable()
export class SqlEventOutbox implements EventOutbox<EntityManager> {
  append(tx: EntityManager, rows: OutboxRow[]): void {
    const name = `events_${(written = (written + 1) % 1_000_000)}`;
    rideAlong(tx, {
      name,
      sql: `INSERT INTO events (id, type, account_id, resource_type, resource_id, data)
            SELECT * FROM unnest($${name}_ids::uuid[], $${name}_types::text[], $${name}_accounts::uuid[],
                                 $${name}_resource_types::text[], $${name}_resource_ids::uuid[], $${name}_data::jsonb[])
            RETURNING 1`,
      params: {
        [`${name}_ids`]: rows.map((row) => row.id),
        [`${name}_types`]: rows.map((row) => row.type),
        [`${name}_accounts`]: rows.map((row) => row.accountId),
        [`${name}_resource_types`]: rows.map((row) => row.resourceType),
        [`${name}_resource_ids`]: rows.map((row) => row.resourceId),
        [`${name}_data`]: rows.map((row) => row.data),
      },
    });
  }
}
