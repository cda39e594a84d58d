import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An order keeps only the id of the payment that paid it (or, for a cancelled order, of the money
 * that arrived after), as a foreign key to `payments (id)`. Its copy of that payment (method,
 * status, wallet transaction, amount) goes: the payment module's row is the one record, so a
 * refund writes the payment's status once and there is no second copy to drift from it. A payment
 * is written before the order is saved naming it, so the key can be checked at once.
 */
export class OrdersNameTheirPayment1764200000000 implements MigrationInterface {
  name = 'OrdersNameTheirPayment1764200000000';

  /** Refuses, changing nothing, when an order's copy does not agree with the payment it names. */
  async up(q: QueryRunner): Promise<void> {
    const [disagreeing]: Array<{ rows: number; order_id: string | null; payment_id: string | null }> =
      await q.query(`
        SELECT COUNT(*)::int AS rows, MIN(o.id::text) AS order_id,
               (array_agg(o.payment_id::text ORDER BY o.id))[1] AS payment_id
          FROM orders o LEFT JOIN payments p ON p.id = o.payment_id
         WHERE o.payment_id IS NOT NULL
           AND (p.id IS NULL OR p.order_id <> o.id OR p.method <> o.payment_method
             OR p.status <> o.payment_status OR p.amount <> o.payment_amount
             OR p.wallet_transaction_id IS DISTINCT FROM o.payment_wallet_transaction_id)`);
    if (disagreeing.rows > 0) {
      throw new Error(
        `Cannot apply ${this.name}: ${disagreeing.rows} order(s) show a payment that is not the payment row ` +
          `of that id for that order, or that differs from it in method, status, amount or wallet transaction ` +
          `(for example order ${disagreeing.order_id}, payment ${disagreeing.payment_id}). Settle them with the ` +
          `reconciliation report first. Nothing was changed.`,
      );
    }
    await q.query(`
      ALTER TABLE orders
        DROP CONSTRAINT orders_payment_complete,
        DROP COLUMN payment_method,
        DROP COLUMN payment_status,
        DROP COLUMN payment_wallet_transaction_id,
        DROP COLUMN payment_amount,
        ADD CONSTRAINT orders_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id)`);
  }

  /**
   * The copies are rebuilt from the payments the orders name. Nothing is refused: the foreign key
   * guarantees each named payment exists, and its method, status and amount meet the old columns'
   * checks (the payments table has the same ones).
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE orders
        DROP CONSTRAINT orders_payment_id_fkey,
        ADD COLUMN payment_method varchar(16) CHECK (payment_method IN ('wallet', 'external')),
        ADD COLUMN payment_status varchar(20),
        ADD COLUMN payment_wallet_transaction_id uuid,
        ADD COLUMN payment_amount bigint CHECK (payment_amount BETWEEN 1 AND 9007199254740991)`);
    await q.query(`
      UPDATE orders o
         SET payment_method = p.method, payment_status = p.status,
             payment_wallet_transaction_id = p.wallet_transaction_id, payment_amount = p.amount
        FROM payments p
       WHERE p.id = o.payment_id`);
    await q.query(`
      ALTER TABLE orders
        ADD CONSTRAINT orders_payment_status_check
          CHECK (payment_status IN ('succeeded', 'refund_required', 'partially_refunded', 'refunded')),
        ADD CONSTRAINT orders_payment_complete CHECK (
          (payment_id IS NULL AND payment_method IS NULL AND payment_status IS NULL
            AND payment_amount IS NULL AND payment_wallet_transaction_id IS NULL)
          OR (payment_id IS NOT NULL AND payment_method IS NOT NULL AND payment_status IS NOT NULL
            AND payment_amount IS NOT NULL)
        )`);
  }
}
