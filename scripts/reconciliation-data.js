// A consistent database of production size for the reconciliation, made in SQL (generate_series)
// rather than through the API: wallets with a ledger (credits, debits, transfers, order payments and
// refund credits), products with holds and orders in every state, payments (wallet and external) and
// refunds, all of it satisfying every invariant the reconciliation checks.
//
// Used by `npm run bench` (the reconciliation scenario) and by the tests; on its own:
//   node scripts/reconciliation-data.js <database url> [orders]
// on a migrated, empty database.
'use strict';

/**
 * The sizes for `orders` orders: the ledger gets about ten entries per order (a million for the
 * default 100,000), transfers two per order.
 */
function sizes(orders) {
  return {
    orders,
    wallets: Math.max(10, Math.floor(orders / 5)),
    products: Math.max(5, Math.floor(orders / 1000)),
    activeHolds: Math.floor(orders / 20),
    transfers: orders * 2,
    plainEntries: orders * 5,
  };
}

/**
 * Fills the database `client` is connected to. Ids are md5 of a per-call `salt`, so several
 * generations can share a database. Returns what it made, and the sizes.
 */
async function generateReconciliationData(client, { orders = 100000, salt = 'gen' } = {}) {
  const n = sizes(orders);
  const id = (kind, expr) => `md5('${salt}-${kind}-' || ${expr})::uuid`;
  const q = (sql) => client.query(sql);
  await q('BEGIN');
  try {
    // Triggers of foreign keys are not needed: every reference is made from the same generator.
    await q(`SET LOCAL session_replication_role = replica`);
    await q(`
      INSERT INTO accounts (id, name, role)
      SELECT ${id('account', 'w')}, 'generated ' || w, 'customer' FROM generate_series(0, ${n.wallets - 1}) w`);
    await q(`
      INSERT INTO products (id, name, price, currency, total_stock, available_stock, reserved_stock, sold_stock)
      SELECT ${id('product', 'p')}, 'generated ' || p, 100, 'USD', 0, 0, 0, 0
        FROM generate_series(0, ${n.products - 1}) p`);

    // Orders: i % 20 = 0 pending, 1 cancelled, 2 paid externally, 3 refunded in full (wallet),
    // 4 and 5 refunded in part (wallet), the rest paid from a wallet. Two units each.
    await q(`
      CREATE TEMP TABLE gen_orders ON COMMIT DROP AS
      SELECT i, ${id('order', 'i')} AS id, ${id('hold', 'i')} AS hold_id, ${id('payment', 'i')} AS payment_id,
             ${id('debit', 'i')} AS debit_id, ${id('refund-credit', 'i')} AS refund_credit_id,
             ${id('product', `i % ${n.products}`)} AS product_id,
             i % ${n.wallets} AS wallet,
             100 + i % 50 AS unit_price,
             CASE i % 20 WHEN 0 THEN 'pending_payment' WHEN 1 THEN 'cancelled' WHEN 2 THEN 'paid'
                         WHEN 3 THEN 'refunded' WHEN 4 THEN 'partially_refunded' WHEN 5 THEN 'partially_refunded'
                         ELSE 'paid' END AS status,
             CASE WHEN i % 20 IN (0, 1) THEN NULL WHEN i % 20 = 2 THEN 'external' ELSE 'wallet' END AS method,
             CASE i % 20 WHEN 3 THEN (100 + i % 50) * 2 WHEN 4 THEN 100 + i % 50 WHEN 5 THEN 100 + i % 50
                         ELSE 0 END AS refunded
        FROM generate_series(0, ${n.orders - 1}) i`);
    await q(`
      INSERT INTO holds (id, product_id, account_id, quantity, status, expires_at)
      SELECT hold_id, product_id, ${id('account', 'wallet')}, 2, 'consumed', now() + interval '10 minutes'
        FROM gen_orders
      UNION ALL
      SELECT ${id('active-hold', 'h')}, ${id('product', `h % ${n.products}`)}, ${id('account', `h % ${n.wallets}`)},
             1, 'active', now() + interval '1 day'
        FROM generate_series(0, ${n.activeHolds - 1}) h`);

    // The ledger, as events in order `seq`; balances are running sums per wallet, after a first
    // credit large enough that no wallet goes below zero.
    await q(`
      CREATE TEMP TABLE gen_ledger ON COMMIT DROP AS
      SELECT w::bigint AS seq, ${id('initial', 'w')} AS id, w AS wallet, 'credit' AS type,
             100000000::bigint AS amount, NULL AS reference_type, NULL::uuid AS reference_id
        FROM generate_series(0, ${n.wallets - 1}) w
      UNION ALL
      SELECT ${n.wallets} + j * 2, ${id('plain', 'j')}, j % ${n.wallets},
             CASE j % 2 WHEN 0 THEN 'credit' ELSE 'debit' END, 1 + j % 997, NULL, NULL
        FROM generate_series(0, ${n.plainEntries - 1}) j
      UNION ALL
      SELECT ${n.wallets} + i * 10 + 1, debit_id, wallet, 'debit', unit_price * 2, 'order', id
        FROM gen_orders WHERE method = 'wallet'
      UNION ALL
      SELECT ${n.wallets} + i * 10 + 7, refund_credit_id, wallet, 'credit', refunded, 'order', id
        FROM gen_orders WHERE method = 'wallet' AND refunded > 0`);
    await q(`
      CREATE TEMP TABLE gen_transfers ON COMMIT DROP AS
      SELECT k, ${id('transfer', 'k')} AS id, k % ${n.wallets} AS from_wallet,
             (k % ${n.wallets} + 1 + k % ${n.wallets - 1}) % ${n.wallets} AS to_wallet,
             1 + k % 500 AS amount, ${id('transfer-debit', 'k')} AS debit_id, ${id('transfer-credit', 'k')} AS credit_id
        FROM generate_series(0, ${n.transfers - 1}) k`);
    await q(`
      INSERT INTO gen_ledger
      SELECT ${n.wallets} + k * 3, debit_id, from_wallet, 'debit', amount, 'transfer', id FROM gen_transfers
      UNION ALL
      SELECT ${n.wallets} + k * 3 + 1, credit_id, to_wallet, 'credit', amount, 'transfer', id FROM gen_transfers`);
    await q(`
      INSERT INTO wallets (id, account_id, currency, balance)
      SELECT ${id('wallet', 'w')}, ${id('account', 'w')}, 'USD', 0 FROM generate_series(0, ${n.wallets - 1}) w`);
    // In the order of the primary key, and the other indexes built once after: a million random
    // uuids inserted one by one into four indexes take most of a minute.
    const indexes = (
      await q(`
        SELECT indexname, indexdef FROM pg_indexes
         WHERE schemaname = 'public' AND tablename = 'wallet_transactions'
           AND indexname NOT IN (SELECT conname FROM pg_constraint)`)
    ).rows;
    for (const { indexname } of indexes) await q(`DROP INDEX ${indexname}`);
    await q(`
      INSERT INTO wallet_transactions
        (id, wallet_id, type, amount, balance_before, balance_after, description, reference_type, reference_id,
         created_at)
      SELECT id, ${id('wallet', 'wallet')}, type, amount, after - signed, after, 'generated', reference_type,
             reference_id, timestamptz '2026-01-01' + seq * interval '1 millisecond'
        FROM (SELECT l.*, CASE type WHEN 'credit' THEN amount ELSE -amount END AS signed,
                     SUM(CASE type WHEN 'credit' THEN amount ELSE -amount END)
                       OVER (PARTITION BY wallet ORDER BY seq, id) AS after
                FROM gen_ledger l) e
       ORDER BY id`);
    for (const { indexdef } of indexes) await q(indexdef);
    await q(`
      UPDATE wallets w SET balance = s.sum
        FROM (SELECT wallet, SUM(CASE type WHEN 'credit' THEN amount ELSE -amount END) AS sum
                FROM gen_ledger GROUP BY wallet) s
       WHERE w.id = ${id('wallet', 's.wallet')}`);
    await q(`
      INSERT INTO transfers (id, from_wallet_id, to_wallet_id, amount, currency, debit_transaction_id,
                             credit_transaction_id)
      SELECT id, ${id('wallet', 'from_wallet')}, ${id('wallet', 'to_wallet')}, amount, 'USD', debit_id, credit_id
        FROM gen_transfers ORDER BY id`);

    await q(`
      INSERT INTO orders (id, account_id, hold_id, product_id, quantity, unit_price, amount, currency, status,
                          payment_due_at, payment_id, refunded_amount)
      SELECT id, ${id('account', 'wallet')}, hold_id, product_id, 2, unit_price, unit_price * 2, 'USD', status,
             now() + interval '15 minutes', CASE WHEN method IS NOT NULL THEN payment_id END, refunded
        FROM gen_orders`);
    await q(`
      INSERT INTO payments (id, order_id, method, status, amount, currency, wallet_id, wallet_transaction_id,
                            refund_transaction_id, external_payment_id, pays_order)
      SELECT payment_id, id, method,
             CASE WHEN refunded = 0 THEN 'succeeded' WHEN refunded = unit_price * 2 THEN 'refunded'
                  ELSE 'partially_refunded' END,
             unit_price * 2, 'USD',
             CASE WHEN method = 'wallet' THEN ${id('wallet', 'wallet')} END,
             CASE WHEN method = 'wallet' THEN debit_id END,
             CASE WHEN refunded > 0 THEN refund_credit_id END,
             CASE WHEN method = 'external' THEN 'ext_' || i END, true
        FROM gen_orders WHERE method IS NOT NULL`);
    await q(`
      INSERT INTO refunds (id, order_id, payment_id, amount, wallet_transaction_id, request_key)
      SELECT ${id('refund', 'i')}, id, payment_id, refunded, refund_credit_id, 'generated'
        FROM gen_orders WHERE refunded > 0`);

    // Stock: what the holds and orders hold, plus as much again available.
    await q(`
      UPDATE products p
         SET reserved_stock = s.reserved, sold_stock = s.sold, available_stock = s.reserved + s.sold,
             total_stock = 2 * (s.reserved + s.sold)
        FROM (SELECT p.id,
                     COALESCE((SELECT SUM(quantity) FROM holds h WHERE h.product_id = p.id AND h.status = 'active'), 0)
                     + COALESCE((SELECT SUM(quantity) FROM orders o
                                  WHERE o.product_id = p.id AND o.status = 'pending_payment'), 0) AS reserved,
                     COALESCE((SELECT SUM(quantity) FROM orders o
                                WHERE o.product_id = p.id AND o.status IN ('paid', 'partially_refunded')), 0) AS sold
                FROM products p WHERE p.name LIKE 'generated %') s
       WHERE p.id = s.id`);
    await q('COMMIT');
  } catch (error) {
    await q('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await q('ANALYZE');
  const [{ count }] = (await q('SELECT COUNT(*)::int AS count FROM wallet_transactions')).rows;
  return { ...n, ledgerEntries: count };
}

/**
 * `operations` more operations on a database `generateReconciliationData` made with the same
 * `orders` and `salt`, as the service would make them: a third transfers, a third orders paid from
 * a wallet (a hold, the order, its payment and debit, the product's counters), the rest credits.
 * `batch` names this batch's ids.
 */
async function generateOperations(client, { orders = 100000, salt = 'gen', operations, batch }) {
  const n = sizes(orders);
  const id = (kind, expr) => `md5('${salt}-${kind}-' || ${expr})::uuid`;
  const fresh = (kind, expr) => id(`${batch}-${kind}`, expr);
  const third = Math.floor(operations / 3);
  const q = (sql) => client.query(sql);
  await q('BEGIN');
  try {
    await q(`SET LOCAL session_replication_role = replica`);
    await q(`
      CREATE TEMP TABLE more_orders ON COMMIT DROP AS
      SELECT i, ${fresh('order', 'i')} AS id, ${fresh('hold', 'i')} AS hold_id, ${fresh('payment', 'i')} AS payment_id,
             ${fresh('debit', 'i')} AS debit_id, ${id('product', `i % ${n.products}`)} AS product_id,
             (i * 7) % ${n.wallets} AS wallet, 100 + i % 50 AS unit_price
        FROM generate_series(0, ${third - 1}) i`);
    await q(`
      CREATE TEMP TABLE more_transfers ON COMMIT DROP AS
      SELECT k, ${fresh('transfer', 'k')} AS id, (k * 3) % ${n.wallets} AS from_wallet,
             ((k * 3) % ${n.wallets} + 1 + k % ${n.wallets - 1}) % ${n.wallets} AS to_wallet,
             1 + k % 500 AS amount, ${fresh('transfer-debit', 'k')} AS debit_id, ${fresh('transfer-credit', 'k')} AS credit_id
        FROM generate_series(0, ${third - 1}) k`);
    await q(`
      CREATE TEMP TABLE more_ledger ON COMMIT DROP AS
      SELECT k * 4 AS seq, debit_id AS id, from_wallet AS wallet, 'debit' AS type, amount::bigint AS amount,
             'transfer' AS reference_type, id AS reference_id FROM more_transfers
      UNION ALL
      SELECT k * 4 + 1, credit_id, to_wallet, 'credit', amount, 'transfer', id FROM more_transfers
      UNION ALL
      SELECT i * 4 + 2, debit_id, wallet, 'debit', unit_price * 2, 'order', id FROM more_orders
      UNION ALL
      SELECT j * 4 + 3, ${fresh('credit', 'j')}, (j * 11) % ${n.wallets}, 'credit', 1 + j % 997, NULL, NULL
        FROM generate_series(0, ${operations - 2 * third - 1}) j`);
    await q(`
      INSERT INTO wallet_transactions
        (id, wallet_id, type, amount, balance_before, balance_after, description, reference_type, reference_id,
         created_at)
      SELECT e.id, w.id, e.type, e.amount, w.balance + e.after - e.signed, w.balance + e.after, 'generated',
             e.reference_type, e.reference_id, now() + e.seq * interval '1 millisecond'
        FROM (SELECT l.*, CASE type WHEN 'credit' THEN amount ELSE -amount END AS signed,
                     SUM(CASE type WHEN 'credit' THEN amount ELSE -amount END)
                       OVER (PARTITION BY wallet ORDER BY seq) AS after
                FROM more_ledger l) e
        JOIN wallets w ON w.id = ${id('wallet', 'e.wallet')}`);
    await q(`
      UPDATE wallets w SET balance = w.balance + s.sum
        FROM (SELECT wallet, SUM(CASE type WHEN 'credit' THEN amount ELSE -amount END) AS sum
                FROM more_ledger GROUP BY wallet) s
       WHERE w.id = ${id('wallet', 's.wallet')}`);
    await q(`
      INSERT INTO transfers (id, from_wallet_id, to_wallet_id, amount, currency, debit_transaction_id,
                             credit_transaction_id)
      SELECT id, ${id('wallet', 'from_wallet')}, ${id('wallet', 'to_wallet')}, amount, 'USD', debit_id, credit_id
        FROM more_transfers`);
    await q(`
      INSERT INTO holds (id, product_id, account_id, quantity, status, expires_at)
      SELECT hold_id, product_id, ${id('account', 'wallet')}, 2, 'consumed', now() FROM more_orders`);
    await q(`
      INSERT INTO orders (id, account_id, hold_id, product_id, quantity, unit_price, amount, currency, status,
                          payment_due_at, payment_id)
      SELECT id, ${id('account', 'wallet')}, hold_id, product_id, 2, unit_price, unit_price * 2, 'USD', 'paid',
             now(), payment_id
        FROM more_orders`);
    await q(`
      INSERT INTO payments (id, order_id, method, status, amount, currency, wallet_id, wallet_transaction_id,
                            pays_order)
      SELECT payment_id, id, 'wallet', 'succeeded', unit_price * 2, 'USD', ${id('wallet', 'wallet')}, debit_id, true
        FROM more_orders`);
    await q(`
      UPDATE products p
         SET sold_stock = sold_stock + s.units, total_stock = total_stock + s.units,
             stock_version = stock_version + 1
        FROM (SELECT product_id, SUM(2) AS units FROM more_orders GROUP BY product_id) s
       WHERE p.id = s.product_id`);
    await q('COMMIT');
  } catch (error) {
    await q('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

module.exports = { generateReconciliationData, generateOperations, sizes };

if (require.main === module) {
  const { Client } = require('pg');
  const [url, orders] = process.argv.slice(2);
  const client = new Client({ connectionString: url });
  const started = Date.now();
  client
    .connect()
    .then(() => generateReconciliationData(client, { orders: orders ? Number(orders) : undefined }))
    .then((made) => console.log(JSON.stringify({ ...made, seconds: (Date.now() - started) / 1000 })))
    .catch((error) => {
      console.error(error.message);
      process.exitCode = 1;
    })
    .finally(() => client.end());
}
