import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox as its own table, one row per statement that records events, instead of one `events`
 * row per event.
 *
 * A hot product's hold batch holds the product's row lock from its locked read to its commit, and
 * its events were written inside that window: twelve holds' events as twelve rows of `events`, each
 * entered in five B-trees, cost about 190 µs of a 1.0–1.4 ms statement; the same events as one row of
 * a table with one B-tree cost about 50 µs. The relay now moves each outbox row's events into
 * `events` (out of the lock's window) in the transaction that fans them out, so every row of `events`
 * is dispatched and the relay no longer rewrites each event to say so: `dispatched_at` and its index
 * go. Events still in the outbox are read with the rest (`SqlEventRepository`), so an event is
 * visible once its change commits.
 *
 * A row lives until the relay's next turn, so its events are kept as written: not compressed
 * (`EXTERNAL`), and in the row itself up to a page's worth (`toast_tuple_target`), where the default
 * would compress a batch of a dozen holds' events (about 6 kB) under the lock (about 0.1 ms in a
 * throwaway loop). `event_count` is the array's length, so that counting the backlog (a metric, read at
 * every scrape, and largest when the relay is down) reads no JSON.
 *
 * Apply it with the older version stopped: an older instance still running afterwards would write
 * its events straight into `events`, where they are taken as dispatched and never sent to endpoints.
 *
 * `seq` orders the outbox rows as `events.seq` ordered events: a resource's rows are written under
 * its row lock, so their `seq` follows their commits, and the relay takes them in that order.
 */
export class EventOutboxBatches1764600000000 implements MigrationInterface {
  name = 'EventOutboxBatches1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_outbox (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        events json NOT NULL,
        event_count integer NOT NULL CHECK (event_count > 0)
      ) WITH (toast_tuple_target = 8160)`);
    await q.query(`ALTER TABLE event_outbox ALTER COLUMN events SET STORAGE EXTERNAL`);
    await q.query(`
      INSERT INTO event_outbox (created_at, events, event_count)
      SELECT created_at, json_build_array(json_build_object(
               'id', id, 'type', type, 'account_id', account_id,
               'resource_type', resource_type, 'resource_id', resource_id, 'data', data)), 1
        FROM events WHERE dispatched_at IS NULL ORDER BY seq`);
    await q.query(`DELETE FROM events WHERE dispatched_at IS NULL`);
    await q.query(`DROP INDEX events_undispatched`);
    await q.query(`ALTER TABLE events DROP COLUMN dispatched_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events ADD COLUMN dispatched_at timestamptz`);
    await q.query(`UPDATE events SET dispatched_at = created_at`);
    await q.query(`
      INSERT INTO events (id, type, account_id, resource_type, resource_id, data, created_at)
      SELECT e.id, e.type, e.account_id, e.resource_type, e.resource_id, e.data, o.created_at
        FROM event_outbox o,
             ROWS FROM (json_to_recordset(o.events)
               AS (id uuid, type text, account_id uuid, resource_type text, resource_id uuid, data jsonb))
               WITH ORDINALITY AS e (id, type, account_id, resource_type, resource_id, data, n)
       ORDER BY o.seq, e.n`);
    await q.query(`CREATE INDEX events_undispatched ON events (seq) WHERE dispatched_at IS NULL`);
    await q.query(`DROP TABLE event_outbox`);
  }
}
