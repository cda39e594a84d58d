import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyKeys1763800100001 implements MigrationInterface {
  name = 'IdempotencyKeys1763800100001';

  async up(q: QueryRunner): Promise<void> {
    // account_id has no foreign key: the table is a cache of answers, purged by expiry, and must not
    // hold up anything done to accounts.
    await q.query(`
      CREATE TABLE idempotency_keys (
        account_id uuid NOT NULL,
        key varchar(255) NOT NULL,
        fingerprint char(64) NOT NULL,
        state varchar(16) NOT NULL CHECK (state IN ('in_progress', 'completed')),
        lock_token uuid,
        locked_at timestamptz,
        response_status smallint,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (account_id, key),
        CONSTRAINT idempotency_keys_claim_check CHECK (
          (state = 'in_progress' AND lock_token IS NOT NULL AND locked_at IS NOT NULL AND response_status IS NULL)
          OR (state = 'completed' AND response_status IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
