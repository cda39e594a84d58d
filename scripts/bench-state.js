// What the scenarios of scripts/bench.js share: resources made through the API, and the invariants
// they check, read straight from PostgreSQL.
'use strict';
const { randomUUID } = require('crypto');

/** A new wallet of `key`'s account in `currency`, credited with `amount` by the admin. */
async function fundedWallet(http, key, currency, amount) {
  const wallet = await http.call('POST', '/api/wallets', { key, body: { currency } });
  await http.admin('POST', `/api/wallets/${wallet.body.id}/credit`, {
    body: { amount },
    idempotencyKey: randomUUID(),
  });
  return wallet.body.id;
}

/** The stock of `productId`, and whether its split and its active holds agree. */
async function stockOf(db, productId) {
  const { rows } = await db.query(
    `SELECT p.total_stock, p.available_stock, p.reserved_stock, p.sold_stock,
            (SELECT coalesce(sum(quantity), 0)::int FROM holds h WHERE h.product_id = p.id AND h.status = 'active') AS held
       FROM products p WHERE p.id = $1`,
    [productId],
  );
  const s = rows[0];
  return {
    ...s,
    exact:
      s.total_stock === s.available_stock + s.reserved_stock + s.sold_stock && s.reserved_stock === s.held,
  };
}

/** The balance of `walletId`, the sum of its ledger and its count of debits. */
async function ledgerOf(db, walletId) {
  const { rows } = await db.query(
    `SELECT w.balance::bigint AS balance,
            (SELECT coalesce(sum(CASE type WHEN 'credit' THEN amount ELSE -amount END), 0)
               FROM wallet_transactions t WHERE t.wallet_id = w.id)::bigint AS ledger,
            (SELECT count(*)::int FROM wallet_transactions t WHERE t.wallet_id = w.id AND type = 'debit') AS debits
       FROM wallets w WHERE w.id = $1`,
    [walletId],
  );
  return { balance: Number(rows[0].balance), ledger: Number(rows[0].ledger), debits: rows[0].debits };
}

module.exports = { fundedWallet, ledgerOf, stockOf };
