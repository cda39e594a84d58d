import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type {
  ReconciliationCheck,
  ReconciliationChecks,
  ReconciliationReport,
} from '../application/reconciliation-checks';

const DETAIL_LIMIT = 100;

/**
 * Each query returns the rows that break one invariant that GET /api/admin/reconciliation documents;
 * none means it holds. `integers` names the columns that PostgreSQL returns as text (bigint, sums)
 * and the report shows as JSON integers.
 */
const CHECKS: Array<{ name: string; sql: string; integers?: string[] }> = [
  {
    name: 'wallet_balance_equals_ledger',
    sql: `
      SELECT w.id AS wallet_id, w.balance, COALESCE(l.sum, 0) AS ledger_sum
        FROM wallets w
        LEFT JOIN (
          SELECT wallet_id, SUM(CASE type WHEN 'credit' THEN amount ELSE -amount END) AS sum
            FROM wallet_transactions GROUP BY wallet_id
        ) l ON l.wallet_id = w.id
       WHERE w.balance <> COALESCE(l.sum, 0)`,
    integers: ['balance', 'ledger_sum'],
  },
  {
    name: 'product_stock_splits',
    sql: `
      SELECT id AS product_id, total_stock, available_stock, reserved_stock, sold_stock
        FROM products
       WHERE total_stock <> available_stock + reserved_stock + sold_stock
          OR available_stock < 0 OR reserved_stock < 0 OR sold_stock < 0`,
  },
  {
    name: 'product_reserved_equals_active_holds_and_pending_orders',
    sql: `
      SELECT p.id AS product_id, p.reserved_stock,
             COALESCE(h.units, 0) AS active_hold_units, COALESCE(o.units, 0) AS pending_order_units
        FROM products p
        LEFT JOIN (SELECT product_id, SUM(quantity) AS units FROM holds WHERE status = 'active' GROUP BY product_id) h
          ON h.product_id = p.id
        LEFT JOIN (SELECT product_id, SUM(quantity) AS units FROM orders WHERE status = 'pending_payment' GROUP BY product_id) o
          ON o.product_id = p.id
       WHERE p.reserved_stock <> COALESCE(h.units, 0) + COALESCE(o.units, 0)`,
    integers: ['active_hold_units', 'pending_order_units'],
  },
  {
    name: 'product_sold_equals_paid_orders',
    sql: `
      SELECT p.id AS product_id, p.sold_stock, COALESCE(o.units, 0) AS paid_order_units
        FROM products p
        LEFT JOIN (SELECT product_id, SUM(quantity) AS units FROM orders WHERE status IN ('paid', 'partially_refunded') GROUP BY product_id) o
          ON o.product_id = p.id
       WHERE p.sold_stock <> COALESCE(o.units, 0)`,
    integers: ['paid_order_units'],
  },
  {
    name: 'no_hold_made_two_orders',
    sql: `SELECT hold_id, COUNT(*)::int AS orders FROM orders GROUP BY hold_id HAVING COUNT(*) > 1`,
  },
  {
    // Wallet charges from the ledger, external ones from the payments that paid their order: money
    // owed back (refund_required, refunded once settled) is not a charge.
    name: 'no_order_charged_twice',
    sql: `
      SELECT order_id, SUM(charges)::int AS charges FROM (
        SELECT reference_id::text AS order_id, COUNT(*) AS charges
          FROM wallet_transactions WHERE type = 'debit' AND reference_type = 'order' GROUP BY reference_id
        UNION ALL
        SELECT order_id::text, COUNT(*) FROM payments WHERE method = 'external' AND pays_order GROUP BY order_id
      ) c GROUP BY order_id HAVING SUM(charges) > 1`,
  },
  {
    // Partial refunds add up: what the order shows, the refund rows of the payment it shows and (for
    // a wallet payment) its refund credits in the ledger all agree, and none is more than was paid.
    // Credits that returned the order's other payments (money owed back) are checked on their own below.
    name: 'no_order_refunded_beyond_its_payment',
    sql: `
      SELECT o.id AS order_id, p.amount AS paid, o.refunded_amount,
             COALESCE(r.total, 0) AS refunds, COALESCE(l.total, 0) AS ledger_refund_credits
        FROM orders o
        LEFT JOIN payments p ON p.order_id = o.id AND p.id::text = o.payment_id
        LEFT JOIN (SELECT payment_id, SUM(amount) AS total FROM refunds GROUP BY payment_id) r ON r.payment_id = p.id
        LEFT JOIN (
          SELECT t.reference_id, SUM(t.amount) AS total FROM wallet_transactions t
           WHERE t.type = 'credit' AND t.reference_type = 'order'
             AND NOT EXISTS (
               SELECT 1 FROM refunds s JOIN orders so ON so.id = s.order_id
                WHERE s.wallet_transaction_id = t.id AND s.payment_id::text IS DISTINCT FROM so.payment_id)
           GROUP BY t.reference_id
        ) l ON l.reference_id = o.id::text
       WHERE (o.refunded_amount > 0 OR r.total IS NOT NULL OR l.total IS NOT NULL)
         AND (p.id IS NULL
           OR o.refunded_amount > p.amount OR COALESCE(r.total, 0) > p.amount OR COALESCE(l.total, 0) > p.amount
           OR o.refunded_amount <> COALESCE(r.total, 0)
           OR (p.method = 'wallet' AND COALESCE(l.total, 0) <> COALESCE(r.total, 0)))`,
    integers: ['paid', 'refunded_amount', 'refunds', 'ledger_refund_credits'],
  },
  {
    // Money of a second payment for a paid order goes back once and whole: nothing of it while it is
    // refund_required, its amount once refunded.
    name: 'surplus_payments_returned_once',
    sql: `
      SELECT p.id AS payment_id, p.order_id, p.status, p.amount, COALESCE(r.total, 0) AS returned
        FROM payments p
        JOIN orders o ON o.id = p.order_id
        LEFT JOIN (SELECT payment_id, SUM(amount) AS total FROM refunds GROUP BY payment_id) r ON r.payment_id = p.id
       WHERE p.id::text IS DISTINCT FROM o.payment_id
         AND COALESCE(r.total, 0) <> CASE p.status WHEN 'refunded' THEN p.amount ELSE 0 END`,
    integers: ['amount', 'returned'],
  },
  {
    // A transfer is one debit of its source and one credit of its destination, both of its amount and
    // both referencing it; no ledger entry references a transfer that is not there.
    name: 'every_transfer_moved_one_amount',
    sql: `
      SELECT x.transfer_id, tr.amount, d.amount AS debit_amount, c.amount AS credit_amount,
             COALESCE(n.entries, 0) AS ledger_entries
        FROM (SELECT id::text AS transfer_id FROM transfers
              UNION SELECT reference_id FROM wallet_transactions WHERE reference_type = 'transfer') x
        LEFT JOIN transfers tr ON tr.id::text = x.transfer_id
        LEFT JOIN wallet_transactions d ON d.id = tr.debit_transaction_id
        LEFT JOIN wallet_transactions c ON c.id = tr.credit_transaction_id
        LEFT JOIN (
          SELECT reference_id, COUNT(*) AS entries FROM wallet_transactions
           WHERE reference_type = 'transfer' GROUP BY reference_id
        ) n ON n.reference_id = x.transfer_id
       WHERE tr.id IS NULL OR d.id IS NULL OR c.id IS NULL OR n.entries IS DISTINCT FROM 2
          OR d.wallet_id <> tr.from_wallet_id OR d.type <> 'debit' OR d.amount <> tr.amount
          OR d.reference_type IS DISTINCT FROM 'transfer' OR d.reference_id IS DISTINCT FROM x.transfer_id
          OR c.wallet_id <> tr.to_wallet_id OR c.type <> 'credit' OR c.amount <> tr.amount
          OR c.reference_type IS DISTINCT FROM 'transfer' OR c.reference_id IS DISTINCT FROM x.transfer_id`,
    integers: ['amount', 'debit_amount', 'credit_amount', 'ledger_entries'],
  },
  {
    // A paid (or refunded) order shows a payment, and it is the one that paid it.
    name: 'paid_orders_have_a_payment',
    sql: `
      SELECT o.id AS order_id, o.status
        FROM orders o LEFT JOIN payments p ON p.order_id = o.id AND p.id::text = o.payment_id AND p.pays_order
       WHERE o.status IN ('paid', 'partially_refunded', 'refunded') AND p.id IS NULL`,
  },
];

/**
 * Runs every check in one read-only REPEATABLE READ transaction, so the report describes a single
 * consistent snapshot even while the service keeps taking traffic.
 */
export async function runReconciliation(dataSource: DataSource): Promise<ReconciliationReport> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const checks: ReconciliationCheck[] = [];
    for (const check of CHECKS) {
      const rows: Array<Record<string, unknown>> = await queryRunner.query(
        `${check.sql} LIMIT ${DETAIL_LIMIT}`,
      );
      const details = rows.map((row) => withIntegers(row, check.integers ?? []));
      checks.push({ name: check.name, ok: rows.length === 0, details });
    }
    await queryRunner.query('COMMIT');
    return { ok: checks.every((c) => c.ok), checked_at: new Date().toISOString(), checks };
  } catch (error) {
    await queryRunner.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await queryRunner.release();
  }
}

/** Money and counts as JSON integers; a value past the safe range (only a corrupted row) stays text. */
function withIntegers(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  const out = { ...row };
  for (const column of columns) {
    const value = out[column];
    if (typeof value === 'string' && Number.isSafeInteger(Number(value))) out[column] = Number(value);
  }
  return out;
}

@Injectable()
export class SqlReconciliationChecks implements ReconciliationChecks {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run(): Promise<ReconciliationReport> {
    return runReconciliation(this.dataSource);
  }
}
