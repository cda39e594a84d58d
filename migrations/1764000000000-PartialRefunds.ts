import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial refunds: an order carries what was refunded so far and goes paid -> partially_refunded ->
 * refunded; each refund is a row of its own (and, for a wallet payment, one ledger credit).
 */
export class PartialRefunds1764000000000 implements MigrationInterface {
  name = 'PartialRefunds1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE orders
        ADD COLUMN refunded_amount bigint NOT NULL DEFAULT 0,
        DROP CONSTRAINT orders_status_check,
        ADD CONSTRAINT orders_status_check
          CHECK (status IN ('pending_payment', 'paid', 'partially_refunded', 'refunded', 'cancelled')),
        DROP CONSTRAINT orders_payment_status_check,
        ADD CONSTRAINT orders_payment_status_check
          CHECK (payment_status IN ('succeeded', 'refund_required', 'partially_refunded', 'refunded')),
        DROP CONSTRAINT orders_paid_has_payment,
        ADD CONSTRAINT orders_paid_has_payment
          CHECK (status NOT IN ('paid', 'partially_refunded', 'refunded') OR payment_id IS NOT NULL)`);
    // Orders refunded before this migration were refunded in full.
    await q.query(
      `UPDATE orders SET refunded_amount = amount, payment_status = 'refunded' WHERE status = 'refunded'`,
    );
    // Never more back than was paid, and the status says how much: nothing before payment, some, all.
    await q.query(`
      ALTER TABLE orders ADD CONSTRAINT orders_refunded_amount_check CHECK (
        refunded_amount BETWEEN 0 AND amount
        AND (status NOT IN ('pending_payment', 'paid') OR refunded_amount = 0)
        AND (status <> 'partially_refunded' OR refunded_amount BETWEEN 1 AND amount - 1)
        AND (status <> 'refunded' OR refunded_amount = amount))`);

    await q.query(`
      ALTER TABLE payments
        DROP CONSTRAINT payments_status_check,
        ADD CONSTRAINT payments_status_check
          CHECK (status IN ('succeeded', 'refund_required', 'partially_refunded', 'refunded'))`);

    // One row per refund. request_key is derived from the Idempotency-Key that asked for it (scoped
    // to its account): one refund per key and order, whatever the layers above do.
    await q.query(`
      CREATE TABLE refunds (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES orders (id),
        payment_id uuid NOT NULL REFERENCES payments (id),
        amount bigint NOT NULL CHECK (amount BETWEEN 1 AND 9007199254740991),
        reason varchar(200),
        wallet_transaction_id uuid CONSTRAINT refunds_wallet_transaction_id_unique UNIQUE
          REFERENCES wallet_transactions (id),
        request_key varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT refunds_order_request_key_unique UNIQUE (order_id, request_key)
      )`);
    await q.query(`
      INSERT INTO refunds (id, order_id, payment_id, amount, wallet_transaction_id, request_key, created_at)
      SELECT gen_random_uuid(), o.id, p.id, o.amount, p.refund_transaction_id, 'before-partial-refunds', p.updated_at
        FROM orders o JOIN payments p ON p.order_id = o.id
       WHERE o.status = 'refunded'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE refunds`);
    // The older schema knows only full refunds: a partly refunded payment shows as succeeded again
    // (its credits stay in the ledger).
    await q.query(`UPDATE payments SET status = 'succeeded' WHERE status = 'partially_refunded'`);
    await q.query(`
      ALTER TABLE payments
        DROP CONSTRAINT payments_status_check,
        ADD CONSTRAINT payments_status_check CHECK (status IN ('succeeded', 'refund_required', 'refunded'))`);
    await q.query(`UPDATE orders SET status = 'paid' WHERE status = 'partially_refunded'`);
    await q.query(
      `UPDATE orders SET payment_status = 'succeeded' WHERE payment_status IN ('partially_refunded', 'refunded')`,
    );
    await q.query(`
      ALTER TABLE orders
        DROP CONSTRAINT orders_refunded_amount_check,
        DROP COLUMN refunded_amount,
        DROP CONSTRAINT orders_status_check,
        ADD CONSTRAINT orders_status_check
          CHECK (status IN ('pending_payment', 'paid', 'refunded', 'cancelled')),
        DROP CONSTRAINT orders_payment_status_check,
        ADD CONSTRAINT orders_payment_status_check CHECK (payment_status IN ('succeeded', 'refund_required')),
        DROP CONSTRAINT orders_paid_has_payment,
        ADD CONSTRAINT orders_paid_has_payment CHECK (status NOT IN ('paid', 'refunded') OR payment_id IS NOT NULL)`);
  }
}
