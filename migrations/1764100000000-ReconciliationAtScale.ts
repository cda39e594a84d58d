import { MigrationInterface, QueryRunner } from 'typeorm';

const UUID = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;

/**
 * The tables whose new rows a checkpointed reconciliation reads, by the transaction that inserted
 * them. Orders and payments also move later, but each move that matters to the checks inserts a
 * row too (a payment, a refund, a ledger entry) or changes the product's stock version.
 */
const XACT_TABLES = ['wallet_transactions', 'transfers', 'orders', 'payments', 'refunds'];

/**
 * Reconciliation at the size of a real ledger:
 *
 * - References that hold ids are typed as ids: `orders.payment_id` (the payment row that paid the
 *   order) and `wallet_transactions.reference_id` (the order, booking or transfer an entry belongs
 *   to), so the checks join them to primary keys and indexes instead of comparing text casts.
 * - `refunds.payment_id` is indexed: the checks sum refunds per payment.
 * - Ledger entries, transfers, orders, payments and refunds record the transaction that inserted them
 *   (`xact_id`, 64 bits, never wraps), and a clean full reconciliation records a checkpoint: the
 *   snapshot it read, each wallet's ledger sum and each product's stock version. A checkpointed run
 *   then reads only the rows that snapshot did not see (see sql-reconciliation-checks.ts for why a
 *   snapshot rather than a last id).
 */
export class ReconciliationAtScale1764100000000 implements MigrationInterface {
  name = 'ReconciliationAtScale1764100000000';

  /** Refuses, changing nothing, when a reference to retype holds something that is not an id. */
  async up(q: QueryRunner): Promise<void> {
    for (const [table, column] of [
      ['orders', 'payment_id'],
      ['wallet_transactions', 'reference_id'],
    ]) {
      const rows: Array<{ rows: number; example: string | null }> = await q.query(`
        SELECT COUNT(*)::int AS rows, MIN(${column}) AS example
          FROM ${table} WHERE ${column} IS NOT NULL AND ${column} !~ ${UUID}`);
      if (rows[0].rows > 0) {
        throw new Error(
          `Cannot apply ${this.name}: ${rows[0].rows} row(s) of ${table}.${column} are not uuids ` +
            `(for example ${JSON.stringify(rows[0].example)}). Nothing was changed.`,
        );
      }
    }
    await q.query(`ALTER TABLE orders ALTER COLUMN payment_id TYPE uuid USING payment_id::uuid`);
    // The type change rebuilds wallet_transactions_reference_idx on the uuid.
    await q.query(
      `ALTER TABLE wallet_transactions ALTER COLUMN reference_id TYPE uuid USING reference_id::uuid`,
    );
    await q.query(`CREATE INDEX refunds_payment_id ON refunds (payment_id)`);

    // A stable default: existing rows take this migration's transaction, without rewriting the tables.
    for (const table of XACT_TABLES) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN xact_id xid8 NOT NULL DEFAULT pg_current_xact_id()`);
      await q.query(`CREATE INDEX ${table}_xact_id ON ${table} (xact_id)`);
    }

    await q.query(`
      CREATE TABLE reconciliation_checkpoints (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        snapshot pg_snapshot NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE reconciliation_checkpoint_wallets (
        checkpoint_id bigint NOT NULL REFERENCES reconciliation_checkpoints (id) ON DELETE CASCADE,
        wallet_id uuid NOT NULL,
        ledger_sum bigint NOT NULL,
        PRIMARY KEY (checkpoint_id, wallet_id)
      )`);
    await q.query(`
      CREATE TABLE reconciliation_checkpoint_products (
        checkpoint_id bigint NOT NULL REFERENCES reconciliation_checkpoints (id) ON DELETE CASCADE,
        product_id uuid NOT NULL,
        stock_version bigint NOT NULL,
        PRIMARY KEY (checkpoint_id, product_id)
      )`);
  }

  /**
   * Checkpoints are derived data (the next clean full run records a new one) and uuids fit the
   * older text columns, so nothing is refused.
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reconciliation_checkpoint_products`);
    await q.query(`DROP TABLE reconciliation_checkpoint_wallets`);
    await q.query(`DROP TABLE reconciliation_checkpoints`);
    for (const table of [...XACT_TABLES].reverse()) {
      await q.query(`DROP INDEX ${table}_xact_id`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN xact_id`);
    }
    await q.query(`DROP INDEX refunds_payment_id`);
    await q.query(`ALTER TABLE wallet_transactions ALTER COLUMN reference_id TYPE varchar(100)`);
    await q.query(`ALTER TABLE orders ALTER COLUMN payment_id TYPE varchar(255)`);
    // The type change rewrote this check's expression; as its migration wrote it.
    await q.query(`
      ALTER TABLE orders
        DROP CONSTRAINT orders_paid_has_payment,
        ADD CONSTRAINT orders_paid_has_payment
          CHECK (status NOT IN ('paid', 'partially_refunded', 'refunded') OR payment_id IS NOT NULL)`);
  }
}
