import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transfers between wallets: a debit of one and a credit of another in one transaction, both ledger
 * entries referencing the transfer. Each entry belongs to one transfer at most.
 */
export class Transfers1764000100000 implements MigrationInterface {
  name = 'Transfers1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transfers (
        id uuid PRIMARY KEY,
        from_wallet_id uuid NOT NULL REFERENCES wallets (id),
        to_wallet_id uuid NOT NULL REFERENCES wallets (id),
        amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 9007199254740991),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        description varchar(255),
        debit_transaction_id uuid NOT NULL CONSTRAINT transfers_debit_transaction_id_unique UNIQUE
          REFERENCES wallet_transactions (id),
        credit_transaction_id uuid NOT NULL CONSTRAINT transfers_credit_transaction_id_unique UNIQUE
          REFERENCES wallet_transactions (id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        CONSTRAINT transfers_two_wallets CHECK (from_wallet_id <> to_wallet_id)
      )`);
    await q.query(`CREATE INDEX transfers_from_wallet_id ON transfers (from_wallet_id)`);
    await q.query(`CREATE INDEX transfers_to_wallet_id ON transfers (to_wallet_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transfers`);
  }
}
