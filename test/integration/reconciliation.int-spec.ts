import { randomUUID } from 'crypto';
import { Client } from 'pg';
import {
  runChecks,
  type RunOptions,
} from '../../src/modules/payment/infrastructure/sql-reconciliation-checks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateReconciliationData, generateOperations } = require('../../scripts/reconciliation-data') as {
  generateReconciliationData(client: Client, options: { orders: number; salt: string }): Promise<unknown>;
  generateOperations(
    client: Client,
    options: { orders: number; salt: string; operations: number; batch: string },
  ): Promise<void>;
};

type Row = Record<string, unknown>;
const ORDERS = 200;

/**
 * The checks on the generated data of the bench (at a small size): it reconciles, and a row
 * corrupted on purpose is named by its check, in a full run and in a run since the checkpoint that
 * a clean full run recorded. Each corruption is made inside the transaction the checks then read
 * and rolled back after, so that it needs no undoing and may drop a constraint that stands in its way.
 */
describe('reconciliation checks (integration, on generated data)', () => {
  let db: Client;
  const one = async (sql: string, parameters: unknown[] = []): Promise<Row> =>
    (await db.query(sql, parameters)).rows[0];
  const query = (sql: string, parameters?: unknown[]) =>
    db.query(sql, parameters).then((result) => result.rows as Row[]);
  const run = async (options: RunOptions) => {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const report = await runChecks(query, options);
      await db.query('COMMIT');
      return report;
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
  };
  /** The checks' report on the database with `corrupt` done to it, in one transaction rolled back after. */
  const corrupted = async (mode: 'full' | 'since-checkpoint', corrupt: () => Promise<unknown>) => {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      await corrupt();
      return await runChecks(query, { mode });
    } finally {
      await db.query('ROLLBACK');
    }
  };

  beforeAll(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    await generateReconciliationData(db, { orders: ORDERS, salt: 'int' });
  });
  afterAll(() => db?.end());

  it('the generated data reconciles; a clean full run records a checkpoint a later run starts from', async () => {
    const full = await run({ recordCheckpoint: true });
    expect(full.checks.filter((c) => !c.ok)).toEqual([]);
    expect(full.recorded_checkpoint).not.toBeNull();
    const wallets = await one(
      'SELECT COUNT(*)::int AS n FROM reconciliation_checkpoint_wallets WHERE checkpoint_id = $1',
      [full.recorded_checkpoint?.id],
    );
    expect(wallets.n).toBe(ORDERS / 5);

    await generateOperations(db, { orders: ORDERS, salt: 'int', operations: 300, batch: 'b1' });
    const since = await run({ mode: 'since-checkpoint' });
    expect(since.checks.filter((c) => !c.ok)).toEqual([]);
    expect(since.base_checkpoint).toEqual(full.recorded_checkpoint);
    expect(since.recorded_checkpoint).toBeNull();
    // Full runs stay the authority, and record the new checkpoint.
    const again = await run({ recordCheckpoint: true });
    expect([again.ok, again.base_checkpoint]).toEqual([true, full.recorded_checkpoint]);
    expect(
      await one('SELECT COUNT(*)::int AS n, MIN(id)::text AS id FROM reconciliation_checkpoints'),
    ).toEqual({ n: 1, id: again.recorded_checkpoint?.id });
  });

  it('two full runs at once both record their checkpoint, the later snapshot pruning what it can see', async () => {
    const before = await run({ recordCheckpoint: true });
    const other = new Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      // Its snapshot is taken before the first run below deletes the older checkpoint and commits.
      await other.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await other.query('SELECT 1');
      const first = await run({ recordCheckpoint: true });
      const second = await runChecks((sql, parameters) => other.query(sql, parameters).then((r) => r.rows), {
        recordCheckpoint: true,
      });
      await other.query('COMMIT');
      expect([first.ok, second.ok, second.base_checkpoint]).toEqual([true, true, before.recorded_checkpoint]);
      const ids = await db.query('SELECT id::text FROM reconciliation_checkpoints ORDER BY id');
      expect(ids.rows.map((r) => r.id)).toEqual([
        first.recorded_checkpoint?.id,
        second.recorded_checkpoint?.id,
      ]);
    } finally {
      await other.end();
    }
  });

  describe.each(['full', 'since-checkpoint'] as const)('a %s run names the corrupted row', (mode) => {
    const named = async (check: string, corrupt: () => Promise<unknown>) => {
      const report = await corrupted(mode, corrupt);
      expect(report.ok).toBe(false);
      return report.checks.find((c) => c.name === check);
    };

    it('wallet_balance_equals_ledger', async () => {
      const w = await one('SELECT id, balance::bigint AS balance FROM wallets ORDER BY id LIMIT 1');
      const check = await named('wallet_balance_equals_ledger', () =>
        db.query('UPDATE wallets SET balance = balance + 1 WHERE id = $1', [w.id]),
      );
      expect(check).toEqual({
        name: 'wallet_balance_equals_ledger',
        ok: false,
        details: [{ wallet_id: w.id, balance: Number(w.balance) + 1, ledger_sum: Number(w.balance) }],
      });
    });

    // A product's counters move with its stock version: the corruptions move it too.
    it('product_stock_splits', async () => {
      const p = await one(
        'SELECT id, total_stock, available_stock, reserved_stock, sold_stock FROM products LIMIT 1',
      );
      const check = await named('product_stock_splits', async () => {
        await db.query('ALTER TABLE products DROP CONSTRAINT products_stock_split');
        await db.query(
          'UPDATE products SET total_stock = total_stock + 1, stock_version = stock_version + 1 WHERE id = $1',
          [p.id],
        );
      });
      expect(check?.details).toEqual([
        {
          product_id: p.id,
          total_stock: (p.total_stock as number) + 1,
          available_stock: p.available_stock,
          reserved_stock: p.reserved_stock,
          sold_stock: p.sold_stock,
        },
      ]);
    });

    it('product_reserved_equals_active_holds_and_pending_orders', async () => {
      const p = await one('SELECT id, reserved_stock FROM products LIMIT 1');
      const check = await named('product_reserved_equals_active_holds_and_pending_orders', () =>
        db.query(
          `UPDATE products SET available_stock = available_stock - 1, reserved_stock = reserved_stock + 1,
                  stock_version = stock_version + 1 WHERE id = $1`,
          [p.id],
        ),
      );
      expect(check?.details).toEqual([
        expect.objectContaining({ product_id: p.id, reserved_stock: Number(p.reserved_stock) + 1 }),
      ]);
    });

    it('product_sold_equals_paid_orders', async () => {
      const p = await one('SELECT id, sold_stock FROM products LIMIT 1');
      const check = await named('product_sold_equals_paid_orders', () =>
        db.query(
          `UPDATE products SET available_stock = available_stock - 1, sold_stock = sold_stock + 1,
                  stock_version = stock_version + 1 WHERE id = $1`,
          [p.id],
        ),
      );
      expect(check?.details).toEqual([
        { product_id: p.id, sold_stock: Number(p.sold_stock) + 1, paid_order_units: Number(p.sold_stock) },
      ]);
    });

    it('no_hold_made_two_orders', async () => {
      const o = await one(`SELECT * FROM orders WHERE status = 'cancelled' LIMIT 1`);
      const check = await named('no_hold_made_two_orders', async () => {
        await db.query('ALTER TABLE orders DROP CONSTRAINT orders_hold_id_unique');
        await db.query(
          `INSERT INTO orders (id, account_id, hold_id, product_id, quantity, unit_price, amount, currency, status,
                               payment_due_at)
           SELECT $1, account_id, hold_id, product_id, quantity, unit_price, amount, currency, status, payment_due_at
             FROM orders WHERE id = $2`,
          [randomUUID(), o.id],
        );
      });
      expect(check?.details).toEqual([{ hold_id: o.hold_id, orders: 2 }]);
    });

    it('no_order_charged_twice', async () => {
      const o = await one(
        `SELECT o.id, o.account_id FROM orders o JOIN payments p ON p.id = o.payment_id
          WHERE o.status = 'paid' AND p.method = 'wallet' LIMIT 1`,
      );
      const check = await named('no_order_charged_twice', () =>
        db.query(
          `INSERT INTO wallet_transactions (id, wallet_id, type, amount, balance_before, balance_after, reference_type,
                                            reference_id)
           SELECT $1, id, 'debit', 1, 1, 0, 'order', $2 FROM wallets WHERE account_id = $3`,
          [randomUUID(), o.id, o.account_id],
        ),
      );
      expect(check?.details).toEqual([{ order_id: o.id, charges: 2 }]);
    });

    it('no_order_refunded_beyond_its_payment', async () => {
      const o = await one(
        `SELECT o.id, o.payment_id, o.amount::int AS amount, o.refunded_amount::int AS refunded
           FROM orders o WHERE o.status = 'partially_refunded' LIMIT 1`,
      );
      const check = await named('no_order_refunded_beyond_its_payment', () =>
        db.query(
          `INSERT INTO refunds (id, order_id, payment_id, amount, request_key) VALUES ($1, $2, $3, $4, 'corrupted')`,
          [randomUUID(), o.id, o.payment_id, o.amount],
        ),
      );
      expect(check?.details).toEqual([
        {
          order_id: o.id,
          paid: o.amount,
          refunded_amount: o.refunded,
          refunds: (o.refunded as number) + (o.amount as number),
          ledger_refund_credits: o.refunded,
        },
      ]);
    });

    it('surplus_payments_returned_once', async () => {
      const o = await one(`SELECT id, amount::int AS amount FROM orders WHERE status = 'paid' LIMIT 1`);
      const id = randomUUID();
      const check = await named('surplus_payments_returned_once', () =>
        db.query(
          `INSERT INTO payments (id, order_id, method, status, amount, currency, external_payment_id, pays_order)
           VALUES ($1, $2, 'external', 'refunded', $3, 'USD', 'corrupted', false)`,
          [id, o.id, o.amount],
        ),
      );
      expect(check?.details).toEqual([
        { payment_id: id, order_id: o.id, status: 'refunded', amount: o.amount, returned: 0 },
      ]);
    });

    it('every_transfer_moved_one_amount', async () => {
      const t = await one(`SELECT id, to_wallet_id, amount::int AS amount FROM transfers LIMIT 1`);
      const check = await named('every_transfer_moved_one_amount', () =>
        db.query(
          `INSERT INTO wallet_transactions (id, wallet_id, type, amount, balance_before, balance_after, reference_type,
                                            reference_id)
           VALUES ($1, $2, 'credit', 1, 0, 1, 'transfer', $3)`,
          [randomUUID(), t.to_wallet_id, t.id],
        ),
      );
      expect(check?.details).toEqual([
        {
          transfer_id: t.id,
          amount: t.amount,
          debit_amount: t.amount,
          credit_amount: t.amount,
          ledger_entries: 3,
        },
      ]);
    });

    it('paid_orders_have_a_payment', async () => {
      const o = await one(`SELECT * FROM orders WHERE status = 'paid' LIMIT 1`);
      const [order, hold] = [randomUUID(), randomUUID()];
      // The foreign key makes the payment an order names exist: a paid order can still name a
      // payment of another order.
      const check = await named('paid_orders_have_a_payment', async () => {
        await db.query(
          `INSERT INTO holds (id, product_id, account_id, quantity, status, expires_at)
           VALUES ($1, $2, $3, 2, 'consumed', now())`,
          [hold, o.product_id, o.account_id],
        );
        await db.query(
          `INSERT INTO orders (id, account_id, hold_id, product_id, quantity, unit_price, amount, currency, status,
                               payment_due_at, payment_id)
           SELECT $1, account_id, $2, product_id, quantity, unit_price, amount, currency, 'paid', payment_due_at,
                  payment_id
             FROM orders WHERE id = $3`,
          [order, hold, o.id],
        );
      });
      expect(check?.details).toEqual([{ order_id: order, status: 'paid' }]);
    });
  });

  describe.each(['full', 'since-checkpoint'] as const)('a %s run names a corrupted authorization', (mode) => {
    const named = async (check: string, corrupt: () => Promise<unknown>) => {
      const report = await corrupted(mode, corrupt);
      expect(report.ok).toBe(false);
      return report.checks.find((c) => c.name === check);
    };
    /** A wallet holding `held` for a pending authorization of that amount (consistent so far). */
    const pendingAuthorization = async (id: string, amount: number) => {
      const w = await one(
        `SELECT id, account_id, currency FROM wallets WHERE balance >= $1 ORDER BY id LIMIT 1`,
        [amount],
      );
      await db.query(
        `INSERT INTO authorizations (id, wallet_id, account_id, amount, currency, status, expires_at, created_at,
                                     updated_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', now() + interval '1 hour', now(), now())`,
        [id, w.id, w.account_id, amount, w.currency],
      );
      await db.query('UPDATE wallets SET held = held + $2 WHERE id = $1', [w.id, amount]);
      return w.id as string;
    };

    it('wallet_held_equals_pending_authorizations: an amount that is not what the wallet holds', async () => {
      const id = randomUUID();
      let wallet = '';
      const check = await named('wallet_held_equals_pending_authorizations', async () => {
        wallet = await pendingAuthorization(id, 300);
        await db.query('UPDATE authorizations SET amount = 301 WHERE id = $1', [id]);
      });
      expect(check?.details).toEqual([{ wallet_id: wallet, held: 300, pending_authorizations: 301 }]);
    });

    it('authorization_captured_within_amount and _only_when_captured: a capture after a void, more than authorized', async () => {
      const [voidedThenTaken, overCaptured] = [randomUUID(), randomUUID()];
      const report = await corrupted(mode, async () => {
        for (const id of [voidedThenTaken, overCaptured]) await pendingAuthorization(id, 300);
        await db.query('ALTER TABLE authorizations DROP CONSTRAINT authorizations_captured_check');
        await db.query('ALTER TABLE authorizations DROP CONSTRAINT authorizations_capture_status_check');
        for (const id of [voidedThenTaken, overCaptured]) {
          await db.query(
            `UPDATE wallets w SET held = held - 300 FROM authorizations a WHERE a.wallet_id = w.id AND a.id = $1`,
            [id],
          );
        }
        await db.query(`UPDATE authorizations SET status = 'voided', captured_amount = 100 WHERE id = $1`, [
          voidedThenTaken,
        ]);
        await db.query(`UPDATE authorizations SET status = 'captured', captured_amount = 400 WHERE id = $1`, [
          overCaptured,
        ]);
      });
      const failing = report.checks.filter((c) => !c.ok);
      expect(failing.map((c) => c.name)).toEqual([
        'authorization_captured_within_amount',
        'authorization_captured_only_once_and_only_when_captured',
      ]);
      const sorted = (rows: Array<Record<string, unknown>>) =>
        [...rows].sort((a, b) => String(a.authorization_id).localeCompare(String(b.authorization_id)));
      expect(sorted(failing[0].details)).toEqual(
        sorted([
          { authorization_id: voidedThenTaken, amount: 300, captured_amount: 100, ledger_captured: 0 },
          { authorization_id: overCaptured, amount: 300, captured_amount: 400, ledger_captured: 0 },
        ]),
      );
      expect(sorted(failing[1].details)).toEqual(
        sorted([
          { authorization_id: voidedThenTaken, status: 'voided', captured_amount: 100, ledger_captures: 0 },
          { authorization_id: overCaptured, status: 'captured', captured_amount: 400, ledger_captures: 0 },
        ]),
      );
    });
  });

  it('a ledger entry committed after the checkpoint by a transaction that began before it is still read', async () => {
    const w = await one('SELECT id, balance::bigint AS balance FROM wallets ORDER BY id LIMIT 1');
    // A transaction writes an entry (without its balance: a corruption) and commits only after a
    // clean full run has recorded its checkpoint, which could not see the entry.
    const late = new Client({ connectionString: process.env.DATABASE_URL });
    await late.connect();
    try {
      await late.query('BEGIN');
      await late.query(
        `INSERT INTO wallet_transactions (id, wallet_id, type, amount, balance_before, balance_after)
         VALUES ($1, $2, 'credit', 5, $3, $3::bigint + 5)`,
        [randomUUID(), w.id, w.balance],
      );
      // A transaction that began later commits before the checkpoint is taken: "after the highest
      // transaction (or id) the checkpoint saw" would leave the entry out for good.
      await generateOperations(db, { orders: ORDERS, salt: 'int', operations: 30, batch: 'b2' });
      const full = await run({ recordCheckpoint: true });
      expect([full.ok, full.recorded_checkpoint]).toEqual([true, expect.anything()]);
      await late.query('COMMIT');
    } finally {
      await late.end();
    }
    const { balance } = await one('SELECT balance::int FROM wallets WHERE id = $1', [w.id]);
    const since = await run({ mode: 'since-checkpoint' });
    expect(since.checks.filter((c) => !c.ok)).toEqual([
      {
        name: 'wallet_balance_equals_ledger',
        ok: false,
        details: [{ wallet_id: w.id, balance, ledger_sum: (balance as number) + 5 }],
      },
    ]);
    // A full run agrees.
    expect((await run({})).checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      'wallet_balance_equals_ledger',
    ]);
  });
});
