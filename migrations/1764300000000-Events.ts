import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events (the transactional outbox and the events API), webhook endpoints and their delivery log.
 *
 * An event is written in the transaction of its change, on the hot paths too, so it carries only the
 * indexes its reads need and no foreign key (a key check per event would cost the write path under
 * its row lock). `seq` orders the events of one resource: they are made under that resource's row
 * lock, so `seq` follows their commits. `dispatched_at` is set once the relay has fanned an event out
 * to its endpoints' deliveries; the partial index keeps the undispatched ones (the outbox backlog) at hand.
 */
export class Events1764300000000 implements MigrationInterface {
  name = 'Events1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        type varchar(64) NOT NULL,
        account_id uuid NOT NULL,
        resource_type varchar(32) NOT NULL,
        resource_id uuid NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        dispatched_at timestamptz
      )`);
    await q.query(`CREATE INDEX events_account_newest ON events (account_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX events_type_newest ON events (type, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX events_newest ON events (created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX events_undispatched ON events (resource_type, resource_id, seq) WHERE dispatched_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        url varchar(2048) NOT NULL,
        enabled_events text[] NOT NULL CHECK (cardinality(enabled_events) BETWEEN 1 AND 64),
        description varchar(255),
        status varchar(8) NOT NULL CHECK (status IN ('enabled', 'disabled')),
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT webhook_endpoints_previous_secret_expiry
          CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
      )`);
    await q.query(
      `CREATE INDEX webhook_endpoints_account_newest ON webhook_endpoints (account_id, created_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        event_seq bigint NOT NULL,
        resource_type varchar(32) NOT NULL,
        resource_id uuid NOT NULL,
        attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
        status varchar(9) NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        response_status integer,
        duration_ms integer,
        error varchar(500),
        next_attempt_at timestamptz,
        delivered_at timestamptz,
        manual boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_id),
        CONSTRAINT webhook_deliveries_due CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_event_id ON webhook_deliveries (event_id)`);
    await q.query(
      `CREATE INDEX webhook_deliveries_endpoint_newest ON webhook_deliveries (endpoint_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_pending_resource
         ON webhook_deliveries (endpoint_id, resource_type, resource_id, event_seq) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DROP TABLE events`);
  }
}
