// Scenarios for scripts/bench.js. Each `run` measures one round and returns its figures; bench.js
// prints the median over rounds. The service is measured over HTTP on loopback; `direct` is the
// same work as one naive transaction run straight against PostgreSQL in the same round.
'use strict';
const { execFile } = require('child_process');
const { randomUUID } = require('crypto');
const path = require('path');
const { Client } = require('pg');
const { closedLoop, cpuSideBySide, directSql, median, percentile, summary } = require('./bench-load');
const { fundedWallet, ledgerOf, stockOf } = require('./bench-state');
const { generateReconciliationData, generateOperations } = require('./reconciliation-data');

const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const MAX_STOCK = 1000000;

// The naive hold: lock the product, move the unit, insert the hold, commit.
const NAIVE_HOLD = `BEGIN;
SELECT available_stock FROM products WHERE id = ':product' FOR UPDATE;
UPDATE products SET available_stock = available_stock - 1, reserved_stock = reserved_stock + 1 WHERE id = ':product';
INSERT INTO holds (id, product_id, account_id, quantity, status, expires_at) VALUES (gen_random_uuid(), ':product', ':account', 1, 'active', now() + interval '2 minutes');
COMMIT;
`;

// The naive debit: lock the wallet, move the money, insert the ledger entry, commit.
const NAIVE_DEBIT = `BEGIN;
SELECT balance FROM wallets WHERE id = ':wallet' FOR UPDATE;
UPDATE wallets SET balance = balance - 1 WHERE id = ':wallet';
INSERT INTO wallet_transactions (id, wallet_id, type, amount, balance_before, balance_after) SELECT gen_random_uuid(), id, 'debit', 1, balance + 1, balance FROM wallets WHERE id = ':wallet';
COMMIT;
`;

// The naive authorization: lock the wallet, hold the money, insert the authorization, commit.
const NAIVE_AUTHORIZE = `BEGIN;
SELECT balance, held FROM wallets WHERE id = ':wallet' FOR UPDATE;
UPDATE wallets SET held = held + 1 WHERE id = ':wallet';
INSERT INTO authorizations (id, wallet_id, account_id, amount, currency, status, expires_at, created_at, updated_at) SELECT gen_random_uuid(), id, account_id, 1, currency, 'pending', now() + interval '1 day', now(), now() FROM wallets WHERE id = ':wallet';
COMMIT;
`;

// The naive capture of all of a pending authorization: lock the wallet, capture it, take the money, write the entry.
const NAIVE_CAPTURE = `BEGIN;
SELECT balance, held FROM wallets WHERE id = ':wallet' FOR UPDATE;
UPDATE authorizations SET status = 'captured', captured_amount = amount, updated_at = now() WHERE id = (SELECT id FROM authorizations WHERE wallet_id = ':wallet' AND status = 'pending' LIMIT 1);
UPDATE wallets SET balance = balance - 1, held = held - 1 WHERE id = ':wallet';
INSERT INTO wallet_transactions (id, wallet_id, type, amount, balance_before, balance_after) SELECT gen_random_uuid(), id, 'debit', 1, balance + 1, balance FROM wallets WHERE id = ':wallet';
COMMIT;
`;

/** What pending authorizations of `walletId` hold, and whether its `held` says the same. */
async function heldOf(db, walletId) {
  const { rows } = await db.query(
    `SELECT w.held::bigint AS held,
            (SELECT coalesce(sum(amount), 0) FROM authorizations a
              WHERE a.wallet_id = w.id AND a.status = 'pending')::bigint AS pending,
            (SELECT count(*)::int FROM authorizations a WHERE a.wallet_id = w.id AND a.status = 'captured') AS captured
       FROM wallets w WHERE w.id = $1`,
    [walletId],
  );
  return { held: Number(rows[0].held), pending: Number(rows[0].pending), captured: rows[0].captured };
}

/**
 * `count` pending authorizations of 1 on `walletId`, written straight into the tables (as the
 * service would, `held` included): what the capture scenarios take, one request each.
 */
async function seedAuthorizations(db, walletId, count) {
  const { rows } = await db.query(
    `WITH w AS (UPDATE wallets SET held = held + $2 WHERE id = $1 RETURNING id, account_id, currency)
     INSERT INTO authorizations (id, wallet_id, account_id, amount, currency, status, expires_at, created_at, updated_at)
     SELECT gen_random_uuid(), w.id, w.account_id, 1, w.currency, 'pending', now() + interval '1 day', now(), now()
       FROM w, generate_series(1, $2)
     RETURNING id`,
    [walletId, count],
  );
  return rows.map((r) => r.id);
}

/** The same answer, but for the request id a problem document carries. */
const sameAnswer = (a, b) =>
  JSON.stringify({ ...a, request_id: undefined }) === JSON.stringify({ ...b, request_id: undefined });

function hotHolds(clients) {
  return closedLoopScenario({
    name: `hot-product holds, ${clients} clients`,
    unit: 'holds/s',
    clients,
    async setup({ http }) {
      const keys = await Promise.all(Array.from({ length: clients }, (_, i) => http.customer(`holder ${i}`)));
      const product = await http.admin('POST', '/api/products', {
        body: { name: 'hot', price: 100, currency: 'USD', stock: MAX_STOCK },
      });
      return { keys, productId: product.body.id };
    },
    request:
      ({ keys, productId }) =>
      (i) => ({
        method: 'POST',
        path: '/api/holds',
        headers: { authorization: `Bearer ${keys[i]}` },
        body: { product_id: productId, quantity: 1 },
      }),
    async exact({ db }, { productId }, load) {
      const stock = await stockOf(db, productId);
      const granted = load.statuses[201] || 0;
      return stock.exact && stock.reserved_stock === granted && granted === load.count;
    },
    async direct({ http, databaseUrl }, { keys }) {
      const twin = await http.admin('POST', '/api/products', {
        body: { name: 'hot, direct', price: 100, currency: 'USD', stock: MAX_STOCK },
      });
      const account = (await http.call('GET', '/api/accounts/me', { key: keys[0] })).body.id;
      return directSql(databaseUrl, {
        clients,
        seconds: SECONDS,
        sql: NAIVE_HOLD,
        vars: { product: twin.body.id, account },
      });
    },
  });
}

/**
 * A scenario of `clients` closed-loop clients against the service for SECONDS, beside the naive
 * transaction: `setup(context)` makes what the requests need (its state), `request(state)` is the
 * i-th client's next request, `exact(context, state, load)` checks the database after the load, and
 * `direct(context, state)` runs the naive transaction on a twin. `eventsOnAgainstOff` runs the same
 * phases in slices on two instances.
 */
function closedLoopScenario(phases) {
  return {
    name: phases.name,
    unit: phases.unit,
    phases,
    async run(context) {
      const state = await phases.setup(context);
      const load = await closedLoop(context.base, {
        clients: phases.clients,
        seconds: SECONDS,
        request: phases.request(state),
      });
      const exact = await phases.exact(context, state, load);
      const direct = await phases.direct(context, state);
      return {
        service: load.rps,
        direct: direct.tps,
        tool: direct.tool,
        p50: load.p50,
        p99: load.p99,
        exact,
      };
    },
  };
}

/**
 * A hot-wallet scenario: `clients` requests at once on one funded wallet of a customer's, each with
 * its own Idempotency-Key, beside `naive` run directly on a twin wallet. `prepare(db, walletId)` makes
 * what the requests take (returns `path(i)`, the path of the i-th request sent); `exact(answered,
 * walletId, sent)` checks the wallet after the load, `answered` being the requests answered `status`.
 */
function hotWallet(clients, { what, unit, status, naive, prepare, exact }) {
  return closedLoopScenario({
    name: `hot-wallet ${what}, ${clients} clients`,
    unit,
    clients,
    async setup({ http, db }) {
      const key = await http.customer(`hot ${what}`);
      const walletId = await fundedWallet(http, key, 'USD', INITIAL);
      return { key, walletId, path: await prepare(db, walletId), sent: 0 };
    },
    request: (state) => () => ({
      method: 'POST',
      path: state.path(state.sent++),
      headers: { authorization: `Bearer ${state.key}`, 'idempotency-key': randomUUID() },
      body: state.path.body,
    }),
    async exact({ db }, { walletId, sent }, load) {
      const answered = load.statuses[status] || 0;
      return answered === load.count && (await exact(db, walletId, answered, sent));
    },
    async direct({ http, db, databaseUrl }, { key }) {
      const twinId = await fundedWallet(http, key, 'EUR', INITIAL);
      await prepare(db, twinId);
      return directSql(databaseUrl, { clients, seconds: SECONDS, sql: naive, vars: { wallet: twinId } });
    },
  });
}

/** What a hot wallet starts with: more than any run spends. */
const INITIAL = 1e12;

/** Requests to `url` with the JSON body `body`, whatever their number. */
const every = (url, body) => Object.assign(() => url, { body });

const hotDebits = (clients) =>
  hotWallet(clients, {
    what: 'debits',
    unit: 'debits/s',
    status: 201,
    naive: NAIVE_DEBIT,
    prepare: async (db, walletId) => every(`/api/wallets/${walletId}/debit`, { amount: 1 }),
    exact: async (db, walletId, debited) => {
      const after = await ledgerOf(db, walletId);
      return (
        after.debits === debited && after.balance === INITIAL - debited && after.ledger === after.balance
      );
    },
  });

const hotAuthorizations = (clients) =>
  hotWallet(clients, {
    what: 'authorizations',
    unit: 'authorizations/s',
    status: 201,
    naive: NAIVE_AUTHORIZE,
    prepare: async (db, walletId) => every(`/api/wallets/${walletId}/authorizations`, { amount: 1 }),
    exact: async (db, walletId, authorized) => {
      const after = await heldOf(db, walletId);
      return after.held === authorized && after.pending === authorized;
    },
  });

/** More authorizations than any round captures in BENCH_SECONDS here: one left over proves none was missed. */
const TO_CAPTURE = 20000 * Math.max(1, SECONDS / 5);

/** Captures of whole authorizations (of 1) on one wallet, each request a different authorization. */
const hotCaptures = (clients) =>
  hotWallet(clients, {
    what: 'captures',
    unit: 'captures/s',
    status: 200,
    naive: NAIVE_CAPTURE,
    prepare: async (db, walletId) => {
      const ids = await seedAuthorizations(db, walletId, TO_CAPTURE);
      return Object.assign((i) => `/api/authorizations/${ids[i % ids.length]}/capture`, { body: {} });
    },
    exact: async (db, walletId, captured, sent) => {
      const after = { ...(await heldOf(db, walletId)), ...(await ledgerOf(db, walletId)) };
      return (
        sent < TO_CAPTURE &&
        after.captured === captured &&
        after.debits === captured &&
        after.held === TO_CAPTURE - captured &&
        after.pending === after.held &&
        after.balance === INITIAL - captured &&
        after.ledger === after.balance
      );
    },
  });

/**
 * What recording events costs a hot scenario: the service as deployed ("on") against a second
 * instance of the same build whose `EventRecorder.record` does nothing (preloaded
 * `bench-events-off.js`; same database, the outbox table present). Each round sets the scenario up
 * on both, then runs its load in alternating slices (`cpuSideBySide`, which also reads each
 * instance's CPU), SECONDS in all per side (the machine's speed drifts by tens of percent over seconds
 * when it is shared, and a side measured wholly after the other would take the drift as its own),
 * then checks both and runs the naive transaction once.
 * The relay moves a slice's events within about 250 ms, so the last of it may run in the next slice:
 * the relay costs about 17 µs per event (the outbox backlog scenario), about 1 % of a hold's CPU.
 * `service` and `direct` are the rates with and without events, so the ratio column reads events on
 * / events off (the goal: at least 0.90); the note gives each side's median ratio against pgbench
 * and its median CPU per request.
 * The second instance stays up until the bench ends.
 */
function eventsOnAgainstOff(scenario) {
  const { phases } = scenario;
  return {
    name: `events: ${scenario.name}, with events against without`,
    unit: scenario.unit,
    async run(context) {
      const off = await context.once('events-off', async () => {
        const service = await context.startService({
          ...context.env,
          // Quoted, so that a checkout path with spaces stays one argument.
          NODE_OPTIONS: `--require ${JSON.stringify(path.join(__dirname, 'bench-events-off.js'))}`,
        });
        return { ...service, http: context.client(service.base) };
      });
      const sides = { on: context, off: { ...context, http: off.http, base: off.base, pid: off.pid } };
      const states = {};
      for (const side of ['on', 'off']) states[side] = await phases.setup(sides[side]);
      const [on, offLoad] = await cpuSideBySide(
        ['on', 'off'].map((side) => ({
          base: sides[side].base,
          pid: sides[side].pid,
          request: phases.request(states[side]),
        })),
        { clients: phases.clients, seconds: SECONDS },
      );
      const exact =
        (await phases.exact(sides.on, states.on, on)) && (await phases.exact(sides.off, states.off, offLoad));
      const direct = await phases.direct(context, states.on);
      return {
        service: on.rps,
        direct: offLoad.rps,
        tool: 'events off',
        p50: on.p50,
        p99: on.p99,
        exact,
        on: on.rps / direct.tps,
        off: offLoad.rps / direct.tps,
        cpuOn: on.cpuPerRequest,
        cpuOff: offLoad.cpuPerRequest,
      };
    },
    note: (done) => {
      const m = (key) => median(done.map((r) => r[key]));
      return (
        `against pgbench: on ${m('on').toFixed(2)}x, off ${m('off').toFixed(2)}x; ` +
        `service CPU per request: on ${m('cpuOn').toFixed(0)} µs, off ${m('cpuOff').toFixed(0)} µs`
      );
    },
  };
}

/**
 * `request` from 64 clients, and cached product reads (the baseline of the scenarios that should
 * cost no more than a read), measured in alternating slices: the machine's speed drifts by tens of
 * percent over seconds when it is shared, and a side measured wholly after the other would take
 * the drift as its own. Each side gets SECONDS in all.
 */
async function sideBySideWithReads(base, productId, request, slices = 5) {
  const load = [];
  const reads = [];
  for (let i = 0; i < slices; i++) {
    load.push(await closedLoop(base, { clients: 64, seconds: SECONDS / slices, request }));
    reads.push(
      await closedLoop(base, {
        clients: 64,
        seconds: SECONDS / slices,
        request: () => ({ method: 'GET', path: `/api/products/${productId}` }),
      }),
    );
  }
  return { load: summary(load), reads: summary(reads) };
}

const soldOut = {
  name: 'sold-out holds, 64 clients (baseline: cached product reads)',
  unit: 'refusals/s',
  async run({ http, base, db }) {
    const keys = await Promise.all(Array.from({ length: 8 }, (_, i) => http.customer(`late ${i}`)));
    const product = await http.admin('POST', '/api/products', {
      body: { name: 'gone', price: 100, currency: 'USD', stock: 1 },
    });
    await http.call('POST', '/api/holds', {
      key: keys[0],
      body: { product_id: product.body.id, quantity: 1 },
    });
    const { load, reads } = await sideBySideWithReads(base, product.body.id, (i) => ({
      method: 'POST',
      path: '/api/holds',
      headers: { authorization: `Bearer ${keys[i % keys.length]}` },
      body: { product_id: product.body.id, quantity: 1 },
    }));
    const stock = await stockOf(db, product.body.id);
    return {
      service: load.rps,
      direct: reads.rps,
      tool: 'reads',
      p50: load.p50,
      p99: load.p99,
      exact: (load.statuses[409] || 0) === load.count && stock.exact && stock.reserved_stock === 1,
    };
  },
};

const replays = {
  name: 'replays of one key, 64 clients (baseline: cached product reads)',
  unit: 'replays/s',
  async run({ http, base, db }) {
    const key = await http.customer('replayer');
    const walletId = await fundedWallet(http, key, 'USD', 1000);
    const idem = randomUUID();
    await http.call('POST', `/api/wallets/${walletId}/debit`, {
      key,
      body: { amount: 7 },
      idempotencyKey: idem,
    });
    const product = await http.admin('POST', '/api/products', {
      body: { name: 'read me', price: 100, currency: 'USD', stock: 10 },
    });
    const { load, reads } = await sideBySideWithReads(base, product.body.id, () => ({
      method: 'POST',
      path: `/api/wallets/${walletId}/debit`,
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': idem },
      body: { amount: 7 },
    }));
    const after = await ledgerOf(db, walletId);
    return {
      service: load.rps,
      direct: reads.rps,
      tool: 'reads',
      p50: load.p50,
      p99: load.p99,
      exact: (load.statuses[201] || 0) === load.count && after.balance === 993 && after.debits === 1,
    };
  },
};

const flashSale = {
  name: 'flash sale: 1000 concurrent holds of 1 on stock 100',
  unit: 'holds/s',
  async run({ http, db }) {
    const product = await http.admin('POST', '/api/products', {
      body: { name: 'bench sneakers', price: 1999, currency: 'USD', stock: 100 },
    });
    const keys = await Promise.all(Array.from({ length: 50 }, (_, i) => http.customer(`buyer ${i}`)));
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        http.call('POST', '/api/holds', {
          key: keys[i % keys.length],
          body: { product_id: product.body.id, quantity: 1 },
        }),
      ),
    );
    const wall = performance.now() - started;
    const stock = await stockOf(db, product.body.id);
    const won = results.filter((r) => r.status === 201).length;
    const refused = results.filter((r) => r.status === 409).length;
    const latencies = results.map((r) => r.ms);
    return {
      service: 1000 / (wall / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      exact: won === 100 && refused === 900 && stock.reserved_stock === 100 && stock.exact,
      note: `sold out in ${wall.toFixed(0)} ms`,
    };
  },
};

// After an outage of the worker: the outbox's backlog, recorded at once as rows of ten events (as a
// batch of hot writes records them), and how fast the relay (in the service's process, ROLE=all)
// fans it out. No endpoint subscribes, so each event costs the relay its move into `events`, nothing else.
const RELAY_BACKLOG = 100000;
const RELAY_ROW_EVENTS = 10;
const relayBacklog = {
  name: `outbox relay: a backlog of ${RELAY_BACKLOG / 1000}k events fanned out`,
  unit: 'events/s',
  async run({ http, db }) {
    const accountId = (await http.admin('POST', '/api/accounts', { body: { name: 'eventful' } })).body.id;
    const count = async (sql) => (await db.query(sql, [accountId])).rows[0].n;
    // Polled without reading the outbox's JSON, which would compete with the relay it times.
    const backlog = async () =>
      (await db.query(`SELECT coalesce(sum(event_count), 0)::int AS n FROM event_outbox`)).rows[0].n;
    await db.query(
      `INSERT INTO event_outbox (events, event_count)
       SELECT json_agg(json_build_object(
                'id', gen_random_uuid(), 'type', 'wallet.credited', 'account_id', $1::uuid,
                'resource_type', 'wallet', 'resource_id', gen_random_uuid(),
                'data', json_build_object('object', json_build_object('id', gen_random_uuid(), 'balance', n)))),
              count(*)
         FROM generate_series(1, $2) AS n
        GROUP BY (n - 1) / $3`,
      [accountId, RELAY_BACKLOG, RELAY_ROW_EVENTS],
    );
    const started = performance.now();
    while ((await backlog()) > 0) {
      if (performance.now() - started > 300000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const wall = performance.now() - started;
    const left = await count(
      `SELECT count(*)::int AS n FROM event_outbox o, json_to_recordset(o.events) AS e (account_id uuid)
        WHERE e.account_id = $1`,
    );
    const moved = await count(`SELECT count(*)::int AS n FROM events WHERE account_id = $1`);
    return {
      service: RELAY_BACKLOG / (wall / 1000),
      exact: left === 0 && moved === RELAY_BACKLOG,
      note: `fanned out in ${(wall / 1000).toFixed(1)} s`,
    };
  },
};

const walletContention = {
  name: 'wallet contention: 200 concurrent debits of 300 on 45000, then their replays',
  unit: 'debits/s',
  async run({ http, db }) {
    const key = await http.customer('spender');
    const walletId = await fundedWallet(http, key, 'USD', 150 * 300);
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const debit = (id) =>
      http.call('POST', `/api/wallets/${walletId}/debit`, {
        key,
        body: { amount: 300 },
        idempotencyKey: id,
      });
    const started = performance.now();
    const first = await Promise.all(ids.map(debit));
    const wall = performance.now() - started;
    const again = await Promise.all(ids.map(debit));
    const after = await ledgerOf(db, walletId);
    return {
      service: 200 / (wall / 1000),
      p50: percentile(
        first.map((r) => r.ms),
        50,
      ),
      p99: percentile(
        first.map((r) => r.ms),
        99,
      ),
      exact:
        first.filter((r) => r.status === 201).length === 150 &&
        first.filter((r) => r.status === 422).length === 50 &&
        again.every((r, i) => r.status === first[i].status && sameAnswer(r.body, first[i].body)) &&
        after.balance === 0 &&
        after.ledger === 0,
      note: `replays p50 ${percentile(
        again.map((r) => r.ms),
        50,
      ).toFixed(1)} ms`,
    };
  },
};

/** `npm run reconcile` (the built CLI) with `args` on `url`: its exit code, output lines and wall time. */
function reconcileCli(url, args = []) {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(__dirname, '..', 'dist/src/cli/reconcile.js'), ...args],
      { env: { ...process.env, DATABASE_URL: url } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (error.code ?? null) : 0,
          lines: stdout.trimEnd().split('\n'),
          stderr,
          ms: performance.now() - started,
        }),
    );
  });
}

const indent = (lines) => lines.map((line) => `    ${line}`).join('\n');

/**
 * Reconciliation at production size, on a database of its own (generated in SQL, not through the
 * API) served by a service of its own: the full run of `npm run reconcile` (each check's time as it
 * prints it), the admin endpoint, a run since the checkpoint after 10,000 more operations, and a row
 * corrupted on purpose, named by both kinds of run.
 */
const reconciliation = {
  name: 'reconciliation of 1M ledger entries, 200k transfers, 100k orders',
  unit: 's full run',
  rounds: 1,
  async run({ databaseUrl, startService, env }) {
    const orders = Number(process.env.BENCH_RECONCILIATION_ORDERS || 100000);
    const database = `${new URL(databaseUrl).pathname.slice(1)}_reconciliation`;
    const url = Object.assign(new URL(databaseUrl), { pathname: `/${database}` }).toString();
    const server = new Client({ connectionString: databaseUrl });
    await server.connect();
    await server.query(`CREATE DATABASE "${database}"`);
    const db = new Client({ connectionString: url });
    let service;
    try {
      const { runMigrations } = require(path.join(__dirname, '..', 'dist/src/shared/database/migrate.js'));
      await runMigrations(url);
      await db.connect();
      let started = performance.now();
      const made = await generateReconciliationData(db, { orders });
      const generated = performance.now() - started;
      console.log(
        `  generated ${made.ledgerEntries} ledger entries, ${made.transfers} transfers, ${made.orders} orders ` +
          `(${made.wallets} wallets, ${made.products} products) in ${(generated / 1000).toFixed(1)} s`,
      );

      const full = await reconcileCli(url);
      console.log(
        `  npm run reconcile (exit ${full.code}, ${(full.ms / 1000).toFixed(2)} s with node's start):`,
      );
      console.log(indent(full.lines));

      service = await startService({
        ...env,
        DATABASE_URL: url,
        REDIS_KEY_PREFIX: `${env.REDIS_KEY_PREFIX}:reconciliation`,
      });
      started = performance.now();
      const res = await fetch(`${service.base}/api/admin/reconciliation`, {
        headers: { authorization: `Bearer ${env.ADMIN_API_KEY}` },
      });
      const endpoint = { status: res.status, ms: performance.now() - started, body: await res.json() };
      console.log(
        `  GET /api/admin/reconciliation: ${endpoint.status} ok=${endpoint.body.ok} in ${(endpoint.ms / 1000).toFixed(2)} s`,
      );

      started = performance.now();
      await generateOperations(db, { orders, operations: 10000, batch: 'bench' });
      console.log(`  10,000 more operations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const since = await reconcileCli(url, ['--since-checkpoint']);
      console.log(`  npm run reconcile -- --since-checkpoint (exit ${since.code}):`);
      console.log(indent(since.lines));

      // One old transfer corrupted: the full run names it. One new one: the run since the checkpoint does.
      const {
        rows: [old],
      } = await db.query(`SELECT id FROM transfers ORDER BY xact_id, id LIMIT 1`);
      const {
        rows: [recent],
      } = await db.query(`SELECT id FROM transfers ORDER BY xact_id DESC, id LIMIT 1`);
      await db.query(`UPDATE transfers SET amount = amount + 1 WHERE id IN ($1, $2)`, [old.id, recent.id]);
      const brokenFull = await reconcileCli(url);
      const brokenSince = await reconcileCli(url, ['--since-checkpoint']);
      const names = (run, id) =>
        run.code === 1 && run.lines.some((line) => line.includes(`"transfer_id":"${id}"`));
      console.log(
        `  transfer ${old.id} (old) and ${recent.id} (after the checkpoint) corrupted: full run exit ${brokenFull.code}, ` +
          `names the old one: ${names(brokenFull, old.id)}; since the checkpoint exit ${brokenSince.code}, ` +
          `names the new one: ${names(brokenSince, recent.id)}`,
      );
      console.log(indent([brokenFull.lines.at(-1), brokenSince.lines.at(-1)]));

      const seconds = (run) => Number(/ in (\d+\.\d+) s;/.exec(run.lines.at(-1))?.[1]);
      return {
        service: seconds(full),
        exact:
          full.code === 0 &&
          endpoint.status === 200 &&
          endpoint.body.ok === true &&
          since.code === 0 &&
          names(brokenFull, old.id) &&
          names(brokenSince, recent.id),
        note:
          `${made.ledgerEntries} entries generated in ${(generated / 1000).toFixed(0)} s; ` +
          `admin endpoint ${(endpoint.ms / 1000).toFixed(1)} s; ` +
          `since the checkpoint after 10,000 operations ${seconds(since).toFixed(2)} s; corrupted rows named`,
      };
    } finally {
      if (service) await service.stop();
      await db.end().catch(() => undefined);
      await server.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await server.end();
    }
  },
};

module.exports = [
  hotHolds(16),
  hotHolds(64),
  soldOut,
  hotDebits(16),
  hotDebits(64),
  hotAuthorizations(16),
  hotAuthorizations(64),
  hotCaptures(16),
  hotCaptures(64),
  replays,
  flashSale,
  walletContention,
  relayBacklog,
  reconciliation,
  eventsOnAgainstOff(hotHolds(16)),
  eventsOnAgainstOff(hotDebits(16)),
  ...require('./bench-cpu'),
];
