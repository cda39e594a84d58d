import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The write path: idempotency keys claimed inside the business transaction (no in-progress state to
 * take over), ledger keys scoped to whoever made them, and a stock version that orders what the
 * service knows about sold-out products.
 */
export class WritePath1763900000000 implements MigrationInterface {
  name = 'WritePath1763900000000';

  async up(q: QueryRunner): Promise<void> {
    // A claim now commits with its answer; claims of requests that died under the old scheme are
    // simply forgotten, which frees their keys for the clients' retries.
    await q.query(`DELETE FROM idempotency_keys WHERE state <> 'completed'`);
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_claim_check`);
    await q.query(
      `ALTER TABLE idempotency_keys DROP COLUMN state, DROP COLUMN lock_token, DROP COLUMN locked_at`,
    );

    // Client keys belong to the account that sent them, the service's own keys to 'service'. Which
    // account sent an older client key is not recorded: the wallet's owner is the best guess.
    await q.query(`ALTER TABLE wallet_transactions ADD COLUMN key_scope varchar(36)`);
    await q.query(`
      UPDATE wallet_transactions t
         SET key_scope = CASE
               WHEN t.idempotency_key ~ '^(order-payment|order-refund|booking-refund):' THEN 'service'
               ELSE w.account_id::text END
        FROM wallets w
       WHERE w.id = t.wallet_id AND t.idempotency_key IS NOT NULL`);
    await q.query(`ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_wallet_key_key`);
    await q.query(`
      ALTER TABLE wallet_transactions
        ADD CONSTRAINT wallet_transactions_key_scope_check CHECK ((key_scope IS NULL) = (idempotency_key IS NULL)),
        ADD CONSTRAINT wallet_transactions_wallet_key_key UNIQUE (wallet_id, key_scope, idempotency_key)`);

    await q.query(`ALTER TABLE products ADD COLUMN stock_version bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE products DROP COLUMN stock_version`);

    await q.query(`ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_wallet_key_key`);
    await q.query(`ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_key_scope_check`);
    // One key per wallet again: a key used by two scopes keeps its first entry's key.
    await q.query(`
      UPDATE wallet_transactions t SET idempotency_key = NULL
       WHERE EXISTS (SELECT 1 FROM wallet_transactions o
                      WHERE o.wallet_id = t.wallet_id AND o.idempotency_key = t.idempotency_key
                        AND (o.created_at, o.id) < (t.created_at, t.id))`);
    await q.query(`ALTER TABLE wallet_transactions DROP COLUMN key_scope`);
    await q.query(
      `ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_wallet_key_key UNIQUE (wallet_id, idempotency_key)`,
    );

    await q.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN state varchar(16) NOT NULL DEFAULT 'completed' CHECK (state IN ('in_progress', 'completed')),
        ADD COLUMN lock_token uuid,
        ADD COLUMN locked_at timestamptz`);
    await q.query(`ALTER TABLE idempotency_keys ALTER COLUMN state DROP DEFAULT`);
    await q.query(`DELETE FROM idempotency_keys WHERE response_status IS NULL`);
    await q.query(`
      ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_claim_check CHECK (
        (state = 'in_progress' AND lock_token IS NOT NULL AND locked_at IS NOT NULL AND response_status IS NULL)
        OR (state = 'completed' AND response_status IS NOT NULL))`);
  }
}
