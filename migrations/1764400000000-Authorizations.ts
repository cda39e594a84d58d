import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wallet authorizations: money held now and taken (captured), released (voided) or let go at
 * `expires_at` (expired) later. A wallet's `held` is the sum of its pending authorizations, changed
 * by the same statement that changes them, under the wallet's row lock; the CHECK keeps it within
 * the balance, so `available = balance - held` never goes negative whatever the code does.
 */
export class Authorizations1764400000000 implements MigrationInterface {
  name = 'Authorizations1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE wallets
        ADD COLUMN held bigint NOT NULL DEFAULT 0,
        ADD CONSTRAINT wallets_held_check CHECK (held >= 0 AND held <= balance)`);
    await q.query(`
      CREATE TABLE authorizations (
        id uuid PRIMARY KEY,
        wallet_id uuid NOT NULL REFERENCES wallets (id),
        account_id uuid NOT NULL REFERENCES accounts (id),
        amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 9007199254740991),
        captured_amount bigint NOT NULL DEFAULT 0,
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        status varchar(8) NOT NULL CHECK (status IN ('pending', 'captured', 'voided', 'expired')),
        expires_at timestamptz NOT NULL,
        description varchar(255),
        key_scope varchar(64),
        idempotency_key varchar(255),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT authorizations_captured_check CHECK (captured_amount >= 0 AND captured_amount <= amount),
        -- Money is taken only by a capture: a voided or expired authorization took nothing.
        CONSTRAINT authorizations_capture_status_check CHECK ((captured_amount > 0) = (status = 'captured')),
        CONSTRAINT authorizations_key_check CHECK ((key_scope IS NULL) = (idempotency_key IS NULL)),
        CONSTRAINT authorizations_wallet_key_key UNIQUE (wallet_id, key_scope, idempotency_key)
      )`);
    await q.query(
      `CREATE INDEX authorizations_pending_expiry_idx ON authorizations (expires_at) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX authorizations_pending_wallet_idx ON authorizations (wallet_id) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE authorizations`);
    await q.query(`ALTER TABLE wallets DROP CONSTRAINT wallets_held_check, DROP COLUMN held`);
  }
}
