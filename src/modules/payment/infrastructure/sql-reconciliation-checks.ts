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
 * What a check reads. A full run reads everything; a checkpointed run only what changed after the
 * checkpoint, gathered beforehand into temporary tables of ids (scope_orders, scope_products,
 * scope_transfers) and of the new ledger entries (new_entries).
 */
type Scope = 'full' | 'since-checkpoint';

/** ` AND <column> IN (the scope's ids)` in a checkpointed run, nothing in a full one. */
type Within = (column: string, ids: 'orders' | 'products' | 'transfers') => string;

/**
 * Each query returns the rows that break one invariant that GET /api/admin/reconciliation documents;
 * none means it holds. `integers` names the columns that PostgreSQL returns as text (bigint, sums)
 * and the report shows as JSON integers.
 *
 * A check costs what it reads whatever plan PostgreSQL picks, even on wrong statistics: what one
 * invariant compares (a balance and its entries, a counter and its units) is brought together by
 * one aggregation over a UNION ALL of the inputs, never by joining aggregates (which no index
 * serves, so a nested loop over them is quadratic); the remaining joins look ids up in a primary key
 * or a unique index, or are a FULL JOIN (hashed or merged, never a nested loop). The detail limit is
 * applied outside a MATERIALIZED CTE (see runChecks), so it cannot shape these plans.
 */
const CHECKS: Array<{ name: string; sql: (within: Within, scope: Scope) => string; integers?: string[] }> = [
  {
    // A checkpointed run adds the new entries to the sums the checkpoint found right.
    name: 'wallet_balance_equals_ledger',
    sql: (_, scope) => `
      SELECT wallet_id, SUM(balance) AS balance, SUM(ledger) AS ledger_sum FROM (
        SELECT id AS wallet_id, balance, 0 AS ledger FROM wallets
        UNION ALL
        ${
          scope === 'full'
            ? `SELECT wallet_id, 0, CASE type WHEN 'credit' THEN amount ELSE -amount END FROM wallet_transactions`
            : `SELECT wallet_id, 0, ledger_sum FROM reconciliation_checkpoint_wallets
                WHERE checkpoint_id = (SELECT id FROM checkpoint)
               UNION ALL
               SELECT wallet_id, 0, CASE type WHEN 'credit' THEN amount ELSE -amount END FROM new_entries`
        }
      ) x GROUP BY wallet_id HAVING SUM(balance) <> SUM(ledger)`,
    integers: ['balance', 'ledger_sum'],
  },
  {
    name: 'product_stock_splits',
    sql: (within) => `
      SELECT id AS product_id, total_stock, available_stock, reserved_stock, sold_stock
        FROM products
       WHERE (total_stock <> available_stock + reserved_stock + sold_stock
          OR available_stock < 0 OR reserved_stock < 0 OR sold_stock < 0)${within('id', 'products')}`,
  },
  {
    name: 'product_reserved_equals_active_holds_and_pending_orders',
    sql: (within) => `
      SELECT product_id, SUM(reserved) AS reserved_stock, SUM(held) AS active_hold_units,
             SUM(pending) AS pending_order_units FROM (
        SELECT id AS product_id, reserved_stock AS reserved, 0 AS held, 0 AS pending FROM products
         WHERE TRUE${within('id', 'products')}
        UNION ALL
        SELECT product_id, 0, quantity, 0 FROM holds WHERE status = 'active'${within('product_id', 'products')}
        UNION ALL
        SELECT product_id, 0, 0, quantity FROM orders WHERE status = 'pending_payment'${within('product_id', 'products')}
      ) x GROUP BY product_id HAVING SUM(reserved) <> SUM(held) + SUM(pending)`,
    integers: ['reserved_stock', 'active_hold_units', 'pending_order_units'],
  },
  {
    name: 'product_sold_equals_paid_orders',
    sql: (within) => `
      SELECT product_id, SUM(sold) AS sold_stock, SUM(paid) AS paid_order_units FROM (
        SELECT id AS product_id, sold_stock AS sold, 0 AS paid FROM products WHERE TRUE${within('id', 'products')}
        UNION ALL
        SELECT product_id, 0, quantity FROM orders
         WHERE status IN ('paid', 'partially_refunded')${within('product_id', 'products')}
      ) x GROUP BY product_id HAVING SUM(sold) <> SUM(paid)`,
    integers: ['sold_stock', 'paid_order_units'],
  },
  {
    name: 'no_hold_made_two_orders',
    sql: (_, scope) => `
      SELECT hold_id, COUNT(*)::int AS orders FROM orders
       WHERE TRUE${scope === 'full' ? '' : ' AND hold_id IN (SELECT hold_id FROM orders WHERE id IN (SELECT id FROM scope_orders))'}
       GROUP BY hold_id HAVING COUNT(*) > 1`,
  },
  {
    // Wallet charges from the ledger (order debits, and captures that paid an order), external ones
    // from the payments that paid their order: money owed back (refund_required, refunded once
    // settled) is not a charge.
    name: 'no_order_charged_twice',
    sql: (within) => `
      SELECT order_id, SUM(charges)::int AS charges FROM (
        SELECT reference_id AS order_id, COUNT(*) AS charges
          FROM wallet_transactions
         WHERE type = 'debit' AND reference_type = 'order'${within('reference_id', 'orders')}
         GROUP BY reference_id
        UNION ALL
        SELECT order_id, COUNT(*) FROM payments
         WHERE method = 'external' AND pays_order${within('order_id', 'orders')}
         GROUP BY order_id
        UNION ALL
        -- An order paid from an authorization: its charge is the capture entry its payment names.
        SELECT p.order_id, COUNT(*) FROM payments p
          JOIN wallet_transactions t ON t.id = p.wallet_transaction_id AND t.reference_type = 'authorization'
         WHERE p.method = 'wallet' AND p.pays_order${within('p.order_id', 'orders')}
         GROUP BY p.order_id
      ) c GROUP BY order_id HAVING SUM(charges) > 1`,
  },
  {
    // Partial refunds add up: what the order shows, the refund rows of the payment it shows and (for
    // a wallet payment) its refund credits in the ledger all agree, and none is more than was paid.
    // Credits that returned the order's other payments (money owed back) are checked on their own below.
    name: 'no_order_refunded_beyond_its_payment',
    sql: (within) => `
      SELECT order_id, MAX(paid) AS paid, MAX(refunded_amount) AS refunded_amount, SUM(refunds) AS refunds,
             SUM(credits) AS ledger_refund_credits FROM (
        SELECT o.id AS order_id, p.amount AS paid, p.method, o.refunded_amount, 0 AS refunds, 0 AS credits,
               p.id IS NOT NULL AS has_payment, 1 AS orders, 0 AS entries
          FROM orders o LEFT JOIN payments p ON p.id = o.payment_id AND p.order_id = o.id
         WHERE TRUE${within('o.id', 'orders')}
        UNION ALL
        SELECT p.order_id, NULL, NULL, NULL, s.amount, 0, NULL, 0, 1
          FROM refunds s
          JOIN payments p ON p.id = s.payment_id
          JOIN orders o ON o.id = p.order_id AND o.payment_id = p.id
         WHERE TRUE${within('p.order_id', 'orders')}
        UNION ALL
        SELECT t.reference_id, NULL, NULL, NULL, 0, t.amount, NULL, 0, 1 FROM wallet_transactions t
         WHERE t.type = 'credit' AND t.reference_type = 'order'${within('t.reference_id', 'orders')}
           AND NOT EXISTS (
             SELECT 1 FROM refunds s JOIN orders so ON so.id = s.order_id
              WHERE s.wallet_transaction_id = t.id AND s.payment_id IS DISTINCT FROM so.payment_id)
      ) x
       GROUP BY order_id
      HAVING SUM(orders) = 1 AND (MAX(refunded_amount) > 0 OR SUM(entries) > 0)
         AND (NOT bool_or(has_payment)
           OR MAX(refunded_amount) > MAX(paid) OR SUM(refunds) > MAX(paid) OR SUM(credits) > MAX(paid)
           OR MAX(refunded_amount) <> SUM(refunds)
           OR (MAX(method) = 'wallet' AND SUM(credits) <> SUM(refunds)))`,
    integers: ['paid', 'refunded_amount', 'refunds', 'ledger_refund_credits'],
  },
  {
    // Money of a second payment for a paid order goes back once and whole: nothing of it while it is
    // refund_required, its amount once refunded.
    name: 'surplus_payments_returned_once',
    sql: (within) => `
      SELECT payment_id, (array_agg(order_id) FILTER (WHERE surplus))[1] AS order_id, MAX(status) AS status,
             MAX(amount) AS amount, SUM(returned) AS returned FROM (
        SELECT p.id AS payment_id, p.order_id, p.status, p.amount, 0 AS returned, true AS surplus
          FROM payments p JOIN orders o ON o.id = p.order_id
         WHERE p.id IS DISTINCT FROM o.payment_id${within('p.order_id', 'orders')}
        UNION ALL
        SELECT payment_id, NULL, NULL, NULL, amount, NULL FROM refunds WHERE TRUE${within('order_id', 'orders')}
      ) x
       GROUP BY payment_id
      HAVING bool_or(surplus) AND SUM(returned) <> CASE MAX(status) WHEN 'refunded' THEN MAX(amount) ELSE 0 END`,
    integers: ['amount', 'returned'],
  },
  {
    // A transfer is one debit of its source and one credit of its destination, both of its amount and
    // both referencing it; no ledger entry references a transfer that is not there. The transfers and
    // the entries that reference one are read once each and grouped by transfer.
    name: 'every_transfer_moved_one_amount',
    sql: (within) => `
      SELECT COALESCE(tr.id, e.reference_id) AS transfer_id, MAX(tr.amount) AS amount,
             MAX(e.amount) FILTER (WHERE e.id = tr.debit_transaction_id) AS debit_amount,
             MAX(e.amount) FILTER (WHERE e.id = tr.credit_transaction_id) AS credit_amount,
             COUNT(e.id) AS ledger_entries
        FROM (SELECT * FROM transfers WHERE TRUE${within('id', 'transfers')}) tr
        FULL JOIN (
          SELECT id, wallet_id, type, amount, reference_id FROM wallet_transactions
           WHERE reference_type = 'transfer'${within('reference_id', 'transfers')}
        ) e ON e.reference_id = tr.id
       GROUP BY COALESCE(tr.id, e.reference_id)
      HAVING COUNT(tr.id) = 0 OR COUNT(e.id) <> 2
          OR COUNT(*) FILTER (WHERE e.id = tr.debit_transaction_id AND e.type = 'debit'
                                AND e.wallet_id = tr.from_wallet_id AND e.amount = tr.amount) <> 1
          OR COUNT(*) FILTER (WHERE e.id = tr.credit_transaction_id AND e.type = 'credit'
                                AND e.wallet_id = tr.to_wallet_id AND e.amount = tr.amount) <> 1`,
    integers: ['amount', 'debit_amount', 'credit_amount', 'ledger_entries'],
  },
  {
    // A wallet's held money is exactly what its pending authorizations hold. Read whole in every run
    // (the pending authorizations, by their partial index, and the wallets holding any): held money
    // changes without a ledger entry, so the checkpoint's ledger sums say nothing about it.
    name: 'wallet_held_equals_pending_authorizations',
    sql: () => `
      SELECT wallet_id, SUM(held) AS held, SUM(pending) AS pending_authorizations FROM (
        SELECT id AS wallet_id, held, 0 AS pending FROM wallets WHERE held <> 0
        UNION ALL
        SELECT wallet_id, 0, amount FROM authorizations WHERE status = 'pending'
      ) x GROUP BY wallet_id HAVING SUM(held) <> SUM(pending)`,
    integers: ['held', 'pending_authorizations'],
  },
  {
    // A capture took at most what was authorized, and the ledger's capture entry is what the
    // authorization says it took; no capture entry references an authorization that is not there.
    name: 'authorization_captured_within_amount',
    sql: () => `
      SELECT COALESCE(a.id, e.reference_id) AS authorization_id, MAX(a.amount) AS amount,
             MAX(a.captured_amount) AS captured_amount, COALESCE(SUM(e.amount), 0) AS ledger_captured
        FROM authorizations a
        FULL JOIN (
          SELECT amount, reference_id FROM wallet_transactions
           WHERE type = 'debit' AND reference_type = 'authorization'
        ) e ON e.reference_id = a.id
       GROUP BY COALESCE(a.id, e.reference_id)
      HAVING COUNT(a.id) = 0 OR MAX(a.captured_amount) > MAX(a.amount) OR MAX(a.captured_amount) < 0
          OR MAX(a.captured_amount) <> COALESCE(SUM(e.amount), 0)`,
    integers: ['amount', 'captured_amount', 'ledger_captured'],
  },
  {
    // Money is taken only by the one capture of a captured authorization: none after a void or an
    // expiry, none while pending, and a captured one took something, once.
    name: 'authorization_captured_only_once_and_only_when_captured',
    sql: () => `
      SELECT a.id AS authorization_id, a.status, a.captured_amount, COUNT(e.id) AS ledger_captures
        FROM authorizations a
        LEFT JOIN wallet_transactions e
          ON e.reference_type = 'authorization' AND e.reference_id = a.id AND e.type = 'debit'
       WHERE a.status <> 'pending' OR a.captured_amount <> 0 OR e.id IS NOT NULL
       GROUP BY a.id, a.status, a.captured_amount
      HAVING (a.status = 'captured') <> (a.captured_amount > 0)
          OR COUNT(e.id) <> CASE a.status WHEN 'captured' THEN 1 ELSE 0 END`,
    integers: ['captured_amount', 'ledger_captures'],
  },
  {
    // A paid (or refunded) order shows a payment, and it is the one that paid it.
    name: 'paid_orders_have_a_payment',
    sql: (within) => `
      SELECT o.id AS order_id, o.status
        FROM orders o LEFT JOIN payments p ON p.id = o.payment_id AND p.order_id = o.id AND p.pays_order
       WHERE o.status IN ('paid', 'partially_refunded', 'refunded') AND p.id IS NULL${within('o.id', 'orders')}`,
  },
];

/** The names of the checks, in the order they run. */
export const CHECK_NAMES = CHECKS.map((check) => check.name);

/**
 * The rows a checkpointed run reads: those the checkpoint's snapshot did not see.
 *
 * Why a snapshot and not "the last id": ids are random (UUIDv4) and even a sequence would not do,
 * since transactions commit out of the order they took their numbers in, so an entry numbered
 * below the last one a run saw can commit after that run. Each of these rows records the
 * transaction that inserted it (`xact_id`, a 64-bit transaction id), and a checkpoint records the
 * snapshot of the run that made it: a row is covered by the checkpoint exactly when its transaction
 * is visible in that snapshot, whenever it commits. Transactions still in progress when the snapshot
 * was taken are listed in it, and are "after" the checkpoint. The index on xact_id reads only rows
 * at or above the snapshot's xmin (the oldest transaction still running then).
 */
const AFTER_CHECKPOINT = (alias: string) =>
  `${alias}.xact_id >= pg_snapshot_xmin((SELECT snapshot FROM checkpoint))
   AND NOT pg_visible_in_snapshot(${alias}.xact_id, (SELECT snapshot FROM checkpoint))`;

/** What a checkpointed run reads, as temporary tables dropped with its transaction. */
const SCOPE = [
  `CREATE TEMPORARY TABLE new_entries ON COMMIT DROP AS
   SELECT t.id, t.wallet_id, t.type, t.amount, t.reference_type, t.reference_id
     FROM wallet_transactions t WHERE ${AFTER_CHECKPOINT('t')}`,
  // A product's holds and orders only move with its counters, and every counter move bumps its
  // stock_version: an unchanged version is an unchanged product.
  `CREATE TEMPORARY TABLE scope_products ON COMMIT DROP AS
   SELECT p.id FROM products p
     LEFT JOIN reconciliation_checkpoint_products c
       ON c.checkpoint_id = (SELECT id FROM checkpoint) AND c.product_id = p.id
    WHERE c.stock_version IS DISTINCT FROM p.stock_version`,
  // New orders, and those whose money moved: with a ledger entry referencing it, a payment inserted
  // for it or a refund (which is also how a payment's status moves).
  `CREATE TEMPORARY TABLE scope_orders ON COMMIT DROP AS
   SELECT o.id FROM orders o WHERE ${AFTER_CHECKPOINT('o')}
    UNION SELECT reference_id FROM new_entries WHERE reference_type = 'order'
    UNION SELECT p.order_id FROM payments p WHERE ${AFTER_CHECKPOINT('p')}
    UNION SELECT r.order_id FROM refunds r WHERE ${AFTER_CHECKPOINT('r')}`,
  `CREATE TEMPORARY TABLE scope_transfers ON COMMIT DROP AS
   SELECT reference_id AS id FROM new_entries WHERE reference_type = 'transfer'
    UNION SELECT t.id FROM transfers t WHERE ${AFTER_CHECKPOINT('t')}`,
  `ANALYZE new_entries, scope_products, scope_orders, scope_transfers`,
];

export interface Checkpoint {
  id: string;
  created_at: string;
}

export interface ReconciliationRun extends ReconciliationReport {
  mode: Scope;
  /** The checkpoint a checkpointed run started from, or the newest one a full run found. */
  base_checkpoint: Checkpoint | null;
  /** The checkpoint this clean full run recorded. */
  recorded_checkpoint: Checkpoint | null;
}

export interface RunOptions {
  mode?: Scope;
  /** A clean full run records a checkpoint (the CLI's full runs do). */
  recordCheckpoint?: boolean;
  /** Called after each check, as it completes. */
  onCheck?: (check: ReconciliationCheck, ms: number) => void;
}

/** How the checks reach the database: one connection, inside one transaction the caller opened. */
export type Query = (sql: string, parameters?: unknown[]) => Promise<Array<Record<string, unknown>>>;

class NoCheckpointError extends Error {
  constructor() {
    super('There is no checkpoint yet: a clean full run (npm run reconcile) records one');
  }
}

/**
 * Runs the checks on the connection of `query`, which must be inside a REPEATABLE READ transaction
 * (the caller's), so that they all read one snapshot; a checkpointed run and a recording full run
 * write temporary tables and the checkpoint, so the transaction must not be READ ONLY for them.
 */
export async function runChecks(query: Query, options: RunOptions = {}): Promise<ReconciliationRun> {
  const mode = options.mode ?? 'full';
  // In REPEATABLE READ, the transaction's snapshot: the one every check reads and a checkpoint records.
  const [{ snapshot }] = await query('SELECT pg_current_snapshot()::text AS snapshot');
  const [newest] = await query(
    `SELECT id::text, created_at FROM reconciliation_checkpoints ORDER BY id DESC LIMIT 1`,
  );
  const base: Checkpoint | null = newest
    ? { id: String(newest.id), created_at: (newest.created_at as Date).toISOString() }
    : null;
  if (mode === 'since-checkpoint') {
    if (!base) throw new NoCheckpointError();
    await query(
      `CREATE TEMPORARY TABLE checkpoint ON COMMIT DROP AS
       SELECT id, snapshot FROM reconciliation_checkpoints WHERE id = $1`,
      [base.id],
    );
    for (const statement of SCOPE) await query(statement);
  }
  const within: Within =
    mode === 'full' ? () => '' : (column, ids) => ` AND ${column} IN (SELECT id FROM scope_${ids})`;

  const checks: ReconciliationCheck[] = [];
  for (const check of CHECKS) {
    const started = performance.now();
    const rows = await query(
      `WITH broken AS MATERIALIZED (${check.sql(within, mode)}) SELECT * FROM broken LIMIT ${DETAIL_LIMIT}`,
    );
    const ms = performance.now() - started;
    const result = {
      name: check.name,
      ok: rows.length === 0,
      details: rows.map((row) => withIntegers(row, check.integers ?? [])),
    };
    checks.push(result);
    options.onCheck?.(result, ms);
  }
  const ok = checks.every((c) => c.ok);

  let recorded: Checkpoint | null = null;
  if (ok && mode === 'full' && options.recordCheckpoint) {
    // Every check held in this snapshot: each wallet's balance is its ledger sum, and each
    // product's counters are what its holds and orders make.
    const [row] = await query(
      `INSERT INTO reconciliation_checkpoints (snapshot) VALUES ($1::pg_snapshot) RETURNING id::text, created_at`,
      [snapshot],
    );
    recorded = { id: String(row.id), created_at: (row.created_at as Date).toISOString() };
    await query(
      `INSERT INTO reconciliation_checkpoint_wallets (checkpoint_id, wallet_id, ledger_sum)
       SELECT $1, id, balance FROM wallets`,
      [recorded.id],
    );
    await query(
      `INSERT INTO reconciliation_checkpoint_products (checkpoint_id, product_id, stock_version)
       SELECT $1, id, stock_version FROM products`,
      [recorded.id],
    );
    // Only the newest checkpoint is read; older ones go (their rows with them). A concurrent full run
    // may have deleted some already, which this snapshot cannot see: leave the pruning to the next run
    // rather than fail this one.
    await query('SAVEPOINT prune');
    try {
      await query(`DELETE FROM reconciliation_checkpoints WHERE id < $1`, [recorded.id]);
      await query('RELEASE SAVEPOINT prune');
    } catch {
      await query('ROLLBACK TO SAVEPOINT prune');
    }
  }
  return {
    ok,
    checked_at: new Date().toISOString(),
    checks,
    mode,
    base_checkpoint: base,
    recorded_checkpoint: recorded,
  };
}

/**
 * Runs every check in one REPEATABLE READ transaction, so the report describes a single consistent
 * snapshot even while the service keeps taking traffic. Read only unless it may write (a
 * checkpointed run's temporary tables, a recorded checkpoint).
 */
export async function runReconciliation(
  dataSource: DataSource,
  options: RunOptions = {},
): Promise<ReconciliationRun> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    const writes = options.mode === 'since-checkpoint' || options.recordCheckpoint;
    await queryRunner.query(`BEGIN ISOLATION LEVEL REPEATABLE READ${writes ? '' : ' READ ONLY'}`);
    const run = await runChecks((sql, parameters) => queryRunner.query(sql, parameters), options);
    await queryRunner.query('COMMIT');
    return run;
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

  async run(): Promise<ReconciliationReport> {
    const { ok, checked_at, checks } = await runReconciliation(this.dataSource);
    return { ok, checked_at, checks };
  }
}
