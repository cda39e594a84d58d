import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { EventOutboxBatches1764600000000 } from '../../migrations/1764600000000-EventOutboxBatches';
import { createCustomer, createTestApp, type TestApp } from '../support/test-app';

/** The migration that moves the outbox out of `events` into rows of its own, both ways. */
describe('EventOutboxBatches migration (integration)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('down() brings the outbox’s events back into events, undispatched and in order; up() moves them out again', async () => {
    const { id: accountId } = await createCustomer(t, 'Migrating');
    const resourceId = randomUUID();
    const event = (description: string) => ({
      id: randomUUID(),
      type: 'webhook_endpoint.disabled',
      account_id: accountId,
      resource_type: 'webhook_endpoint',
      resource_id: resourceId,
      data: { object: { description } },
    });
    const [dispatched, first, second, third] = ['dispatched', 'first', 'second', 'third'].map(event);
    const migration = new EventOutboxBatches1764600000000();
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(
        `INSERT INTO events (id, type, account_id, resource_type, resource_id, data)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [dispatched.id, dispatched.type, accountId, dispatched.resource_type, resourceId, dispatched.data],
      );
      for (const events of [[first, second], [third]]) {
        await runner.query(`INSERT INTO event_outbox (events, event_count) VALUES ($1::json, $2)`, [
          JSON.stringify(events),
          events.length,
        ]);
      }

      await migration.down(runner);
      const older = await runner.query(
        `SELECT id, data, dispatched_at IS NULL AS undispatched FROM events WHERE resource_id = $1 ORDER BY seq`,
        [resourceId],
      );
      expect(older).toEqual(
        [dispatched, first, second, third].map((e, i) => ({ id: e.id, data: e.data, undispatched: i > 0 })),
      );

      await migration.up(runner);
      const kept = await runner.query(`SELECT id FROM events WHERE resource_id = $1`, [resourceId]);
      expect(kept).toEqual([{ id: dispatched.id }]);
      const outbox = await runner.query(
        `SELECT e.id, e.data, o.event_count FROM event_outbox o,
                json_to_recordset(o.events) AS e (id uuid, resource_id uuid, data jsonb)
          WHERE e.resource_id = $1 ORDER BY o.seq`,
        [resourceId],
      );
      expect(outbox).toEqual([first, second, third].map((e) => ({ id: e.id, data: e.data, event_count: 1 })));
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
