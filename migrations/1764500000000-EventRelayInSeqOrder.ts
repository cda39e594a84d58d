import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox backlog indexed in the relay's own order (`seq`), instead of by resource.
 *
 * The relay takes the oldest undispatched events (`ORDER BY seq LIMIT 200`). Indexed by
 * (resource_type, resource_id, seq), every batch read and sorted the whole backlog: 130,000 events
 * recorded while no relay ran took 29 s to fan out, 215 µs of the machine's CPU each, more than
 * recording them. Indexed by `seq`, a batch reads its 200 entries and stops (2.2 s, 18 µs each).
 * The per-resource index served only the deliveries' check that no earlier event of a resource was
 * still in the outbox, which one relay at a time in `seq` order makes needless (see
 * `EventRepository.lockUndispatched`).
 */
export class EventRelayInSeqOrder1764500000000 implements MigrationInterface {
  name = 'EventRelayInSeqOrder1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events_undispatched`);
    await q.query(`CREATE INDEX events_undispatched ON events (seq) WHERE dispatched_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events_undispatched`);
    await q.query(
      `CREATE INDEX events_undispatched ON events (resource_type, resource_id, seq) WHERE dispatched_at IS NULL`,
    );
  }
}
