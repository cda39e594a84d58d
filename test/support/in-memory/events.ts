import type { EntityManager } from 'typeorm';
import type { EventOutbox, OutboxRow } from '../../../src/modules/event/application/ports';
import { afterCommit } from '../../../src/shared/database/after-commit';

/**
 * The outbox over the in-memory database: a transaction's events are kept once it commits, never if it
 * rolls back; each as JSON would carry it, serialised when recorded (as the SQL outbox does).
 */
export class InMemoryEventOutbox implements EventOutbox<EntityManager> {
  readonly recorded: Array<Omit<OutboxRow, 'data'> & { data: { object: Record<string, unknown> } }> = [];

  append(tx: EntityManager, rows: OutboxRow[]): void {
    const recorded = rows.map((row) => ({
      ...row,
      data: JSON.parse(JSON.stringify(row.data)) as { object: Record<string, unknown> },
    }));
    afterCommit(tx, () => this.recorded.push(...recorded));
  }

  /** Type and resource id of each committed event, in order. */
  summary(): Array<[string, string]> {
    return this.recorded.map((row) => [row.type, row.resourceId]);
  }
}
