import { MigrationInterface, QueryRunner } from 'typeorm';

export class Bookings1763800400000 implements MigrationInterface {
  name = 'Bookings1763800400000';

  async up(q: QueryRunner): Promise<void> {
    // A booking is debited when created (wallet_transaction_id) and refunded at most once
    // (refund_transaction_id, unique; the ledger's unique (wallet_id, idempotency_key) stands behind it).
    await q.query(`
      CREATE TABLE bookings (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        type varchar(6) NOT NULL CHECK (type IN ('flight', 'hotel')),
        provider varchar(32) NOT NULL,
        offer_id varchar(2048) NOT NULL,
        wallet_id uuid NOT NULL REFERENCES wallets (id),
        status varchar(9) NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
        amount bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        wallet_transaction_id uuid NOT NULL UNIQUE REFERENCES wallet_transactions (id),
        refund_transaction_id uuid UNIQUE REFERENCES wallet_transactions (id),
        confirmation_code varchar(64),
        provider_booking_id varchar(255),
        failure_reason varchar(500),
        traveler_first_name varchar(100) NOT NULL,
        traveler_last_name varchar(100) NOT NULL,
        traveler_email varchar(254) NOT NULL,
        idempotency_key varchar(255) NOT NULL,
        outcome_unknown boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bookings_account_key_key UNIQUE (account_id, idempotency_key),
        CONSTRAINT bookings_confirmed_check CHECK ((status = 'confirmed') = (confirmation_code IS NOT NULL)),
        CONSTRAINT bookings_failed_check CHECK (
          (status = 'failed') = (refund_transaction_id IS NOT NULL AND failure_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX bookings_pending_idx ON bookings (created_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bookings`);
  }
}
