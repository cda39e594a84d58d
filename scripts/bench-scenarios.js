// Scenarios for scripts/bench.js. Each run() returns one round's figures; report() prints the
// median over rounds. Every figure is measured over HTTP on loopback against the built service.
'use strict';
const { randomUUID } = require('crypto');

const fmt = (ms) => `${ms.toFixed(1)} ms`;

module.exports = [
  {
    name: 'flash sale',
    async run(http) {
      const STOCK = 100;
      const BUYERS = 1000;
      const product = await http.admin('POST', '/api/products', {
        body: { name: 'bench sneakers', price: 1999, currency: 'USD', stock: STOCK },
      });
      const keys = await Promise.all(Array.from({ length: 50 }, (_, i) => http.customer(`buyer ${i}`)));
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: BUYERS }, (_, i) =>
          http.call('POST', '/api/holds', {
            key: keys[i % keys.length],
            body: { product_id: product.body.id, quantity: 1 },
          }),
        ),
      );
      const wall = performance.now() - started;
      const after = await http.call('GET', `/api/products/${product.body.id}`);
      const won = results.filter((r) => r.status === 201).length;
      const refused = results.filter((r) => r.status === 409).length;
      const latencies = results.map((r) => r.ms);
      return {
        won,
        refused,
        other: BUYERS - won - refused,
        reserved: after.body.reserved_stock,
        wall,
        rps: BUYERS / (wall / 1000),
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
      };
    },
    report(rounds, { median }) {
      const r0 = rounds[0];
      console.log(
        `flash sale, 1000 concurrent holds of 1 on stock 100: ${r0.won} held, ${r0.refused} refused, ${r0.other} other, ` +
          `reserved ${r0.reserved} (every round: ${rounds.every((r) => r.won === 100 && r.reserved === 100 && r.other === 0) ? 'exact' : 'NOT EXACT'})`,
      );
      console.log(
        `  median over ${rounds.length} rounds: ${median(rounds.map((r) => r.rps)).toFixed(0)} holds/s, ` +
          `p50 ${fmt(median(rounds.map((r) => r.p50)))}, p95 ${fmt(median(rounds.map((r) => r.p95)))}, ` +
          `sell-out wall time ${fmt(median(rounds.map((r) => r.wall)))}`,
      );
    },
  },
  {
    name: 'wallet contention',
    async run(http) {
      const DEBITS = 200;
      const key = await http.customer('spender');
      const wallet = await http.call('POST', '/api/wallets', { key, body: { currency: 'USD' } });
      await http.admin('POST', `/api/wallets/${wallet.body.id}/credit`, {
        body: { amount: 150 * 300 },
        idempotencyKey: randomUUID(),
      });
      const ids = Array.from({ length: DEBITS }, () => randomUUID());
      const debit = (id) =>
        http.call('POST', `/api/wallets/${wallet.body.id}/debit`, {
          key,
          body: { amount: 300 },
          idempotencyKey: id,
        });
      const started = performance.now();
      const first = await Promise.all(ids.map(debit));
      const wall = performance.now() - started;
      const replays = await Promise.all(ids.map(debit));
      const balance = (await http.call('GET', `/api/wallets/${wallet.body.id}`, { key })).body.balance;
      return {
        ok: first.filter((r) => r.status === 201).length,
        refused: first.filter((r) => r.status === 422).length,
        busy: first.filter((r) => r.status === 503).length,
        replayedSame: replays.every((r, i) => r.status === first[i].status),
        balance,
        rps: DEBITS / (wall / 1000),
        p50: percentile(
          first.map((r) => r.ms),
          50,
        ),
        replayP50: percentile(
          replays.map((r) => r.ms),
          50,
        ),
      };
    },
    report(rounds, { median }) {
      const r0 = rounds[0];
      const exact = rounds.every(
        (r) => r.ok === 150 && r.refused === 50 && r.balance === 0 && r.replayedSame,
      );
      console.log(
        `wallet, 200 concurrent debits of 300 on 45000: ${r0.ok} debited, ${r0.refused} insufficient_funds, ` +
          `${r0.busy} wallet_busy, balance ${r0.balance} (every round: ${exact ? 'exact, replays identical' : 'NOT EXACT'})`,
      );
      const p50 = median(rounds.map((r) => r.p50));
      const replay = median(rounds.map((r) => r.replayP50));
      console.log(
        `  median over ${rounds.length} rounds: ${median(rounds.map((r) => r.rps)).toFixed(0)} debits/s, ` +
          `p50 ${fmt(p50)}; replaying the same 200 keys: p50 ${fmt(replay)} (${(p50 / replay).toFixed(1)}x faster)`,
      );
    },
  },
];

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
