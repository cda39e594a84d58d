import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An order may have more than one payment row: the one that paid it, and money of other payments
 * that arrived for it anyway (a provider's success racing a wallet pay) and is owed back. UNIQUE
 * (order_id) becomes:
 *
 * - `pays_order`: whether the row is the order's charge. A partial unique index allows one charge
 *   per order, ever, so a double charge is still impossible whatever the code above does. Money owed
 *   back is never a charge: it is `refund_required`, then `refunded` once settled. A status alone
 *   could not say this, since a charge refunded in full is `refunded` too.
 * - UNIQUE (order_id, external_payment_id): a provider's payment is recorded on an order once, so a
 *   repeated event cannot record its money twice. It is per order rather than global, so that an
 *   event naming a payment id already seen on another order is decided as before.
 *
 * Existing rows: a payment of a cancelled order never paid it (cancelled orders were never paid);
 * every other payment did.
 */
export class OneChargePerOrder1764000400000 implements MigrationInterface {
  name = 'OneChargePerOrder1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments ADD COLUMN pays_order boolean NOT NULL DEFAULT true`);
    await q.query(`
      UPDATE payments p SET pays_order = false
        FROM orders o
       WHERE o.id = p.order_id AND (o.status = 'cancelled' OR p.status = 'refund_required')`);
    await q.query(`
      ALTER TABLE payments
        ALTER COLUMN pays_order DROP DEFAULT,
        ADD CONSTRAINT payments_pays_order_status CHECK (
          CASE WHEN pays_order THEN status <> 'refund_required' ELSE status IN ('refund_required', 'refunded') END),
        DROP CONSTRAINT payments_order_id_unique,
        ADD CONSTRAINT payments_order_external_payment_unique UNIQUE (order_id, external_payment_id)`);
    await q.query(
      `CREATE UNIQUE INDEX payments_one_charge_per_order ON payments (order_id) WHERE pays_order`,
    );
  }

  /**
   * Refuses, changing nothing, while any order has two payment rows: the older schema cannot hold
   * them, and which record of money to delete is not a migration's decision. (Restoring UNIQUE
   * (order_id) would fail on such rows anyway; this says why.)
   */
  async down(q: QueryRunner): Promise<void> {
    const rows: Array<{ orders: number; example: string | null }> = await q.query(`
      SELECT COUNT(*)::int AS orders, MIN(order_id::text) AS example
        FROM (SELECT order_id FROM payments GROUP BY order_id HAVING COUNT(*) > 1) twice`);
    if (rows[0].orders > 0) {
      throw new Error(
        `Cannot revert ${this.name}: ${rows[0].orders} order(s) have more than one payment ` +
          `(for example ${rows[0].example}), which UNIQUE (payments.order_id) cannot hold. ` +
          'Nothing was changed.',
      );
    }
    await q.query(`DROP INDEX payments_one_charge_per_order`);
    await q.query(`
      ALTER TABLE payments
        DROP CONSTRAINT payments_order_external_payment_unique,
        ADD CONSTRAINT payments_order_id_unique UNIQUE (order_id),
        DROP CONSTRAINT payments_pays_order_status,
        DROP COLUMN pays_order`);
  }
}
