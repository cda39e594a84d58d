import { MigrationInterface, QueryRunner } from 'typeorm';

export class Wallets1763800100000 implements MigrationInterface {
  name = 'Wallets1763800100000';

  async up(q: QueryRunner): Promise<void> {
    // Balances stay within the JSON-safe integer range the API can show.
    await q.query(`
      CREATE TABLE wallets (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        balance bigint NOT NULL DEFAULT 0 CONSTRAINT wallets_balance_check
          CHECK (balance >= 0 AND balance <= 9007199254740991),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT wallets_account_currency_key UNIQUE (account_id, currency)
      )`);
    // created_at is the time of the insert (taken under the wallet's row lock, so it follows the
    // ledger's order) at millisecond precision, the precision of list cursors.
    await q.query(`
      CREATE TABLE wallet_transactions (
        id uuid PRIMARY KEY,
        wallet_id uuid NOT NULL REFERENCES wallets (id),
        type varchar(6) NOT NULL CHECK (type IN ('credit', 'debit')),
        amount bigint NOT NULL CONSTRAINT wallet_transactions_amount_check CHECK (amount > 0),
        balance_before bigint NOT NULL CHECK (balance_before >= 0),
        balance_after bigint NOT NULL CHECK (balance_after >= 0),
        description varchar(255),
        reference_type varchar(32),
        reference_id varchar(100),
        idempotency_key varchar(255),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT wallet_transactions_arithmetic_check CHECK (
          balance_after = balance_before + CASE type WHEN 'credit' THEN amount ELSE -amount END),
        CONSTRAINT wallet_transactions_reference_check CHECK ((reference_type IS NULL) = (reference_id IS NULL)),
        CONSTRAINT wallet_transactions_wallet_key_key UNIQUE (wallet_id, idempotency_key)
      )`);
    await q.query(
      `CREATE INDEX wallet_transactions_wallet_created_idx ON wallet_transactions (wallet_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX wallet_transactions_reference_idx ON wallet_transactions (reference_type, reference_id)
         WHERE reference_type IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE wallet_transactions`);
    await q.query(`DROP TABLE wallets`);
  }
}
