// CPU scenarios for scripts/bench.js (`BENCH_ONLY=cpu`): the CPU time the service's process spends
// per request it answers (utime + stime from /proc/<pid>/stat over the measured slices, divided by
// the requests answered in them), beside a bare Fastify 5 server (scripts/bench-bare-fastify.js)
// answering the same requests with the same JSON under the same load, in alternating slices of
// the same round. The service runs as in production: ROLE=api, NODE_ENV=production, LOG_LEVEL=info
// (its JSON lines written to /dev/null) and the rate limit on, with a limit no request reaches.
'use strict';
const { spawn } = require('child_process');
const { randomUUID } = require('crypto');
const path = require('path');
const { freePort } = require('./embedded-services');
const { closedLoop, cpuSideBySide } = require('./bench-load');
const { fundedWallet, ledgerOf, stockOf } = require('./bench-state');

const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const CLIENTS = 16;
/** Unmeasured load on each side before each round, so that both are compiled and warm. */
const WARM_UP_SECONDS = 2;
const MAX_STOCK = 1000000;

/** The service as deployed: an API process without the queue consumers. */
const PRODUCTION = {
  ROLE: 'api',
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  RATE_LIMIT_PER_MINUTE: String(1e9),
};

async function waitUntilUp(base) {
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${base} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startBareFastify() {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, 'bench-bare-fastify.js')], {
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(base);
  return {
    base,
    pid: child.pid,
    /** Gives the bare server the resource `id` of `kind` ('products' or 'wallets'). */
    put: async (kind, id, value) => {
      const res = await fetch(`${base}/bench/${kind}/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(value),
      });
      if (!res.ok) throw new Error(`bare Fastify refused ${kind} ${id}: ${res.status}`);
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** The production-settings service and the bare server, started once for the whole group. */
function servers({ once, startService, env, client }) {
  return once('cpu servers', async () => {
    const prefix = `${env.REDIS_KEY_PREFIX}:cpu`;
    const service = await startService({ ...env, ...PRODUCTION, REDIS_KEY_PREFIX: prefix });
    const bare = await startBareFastify().catch(async (error) => {
      await service.stop();
      throw error;
    });
    return {
      service,
      bare,
      http: client(service.base),
      stop: async () => {
        await bare.stop();
        await service.stop();
      },
    };
  });
}

/** One recorded answer of the service, as the bare server replays it. */
const template = (res, type) => ({ status: res.status, type, body: res.body });

/**
 * A scenario of the group: `prepare` makes the resource in the service, hands the bare server its
 * answers, and returns the request both get and a check of the service's state after the load.
 */
function cpuScenario({ name, target, status, prepare }) {
  return {
    name: `CPU per request: ${name}, ${CLIENTS} clients`,
    unit: 'µs/request',
    target,
    async run(ctx) {
      const { service, bare, http } = await servers(ctx);
      const { request, check } = await prepare({ http, bare, db: ctx.db });
      const sides = [
        { base: service.base, pid: service.pid, request },
        { base: bare.base, pid: bare.pid, request },
        // The same, paced at the rate the service just answered: an idle process wakes for each
        // request, and a request costs more CPU at a few hundred a second than flat out.
        { base: bare.base, pid: bare.pid, request, rate: ([ownSlice]) => ownSlice.rps },
      ];
      const warmUps = [];
      for (const side of sides.slice(0, 2)) {
        warmUps.push(await closedLoop(side.base, { clients: CLIENTS, seconds: WARM_UP_SECONDS, request }));
      }
      const [own, baseline, paced] = await cpuSideBySide(sides, { clients: CLIENTS, seconds: SECONDS });
      const all = (load) => (load.statuses[status] || 0) === load.count;
      return {
        service: own.cpuPerRequest,
        direct: baseline.cpuPerRequest,
        tool: 'bare Fastify',
        paced: paced.cpuPerRequest,
        p50: own.p50,
        p99: own.p99,
        exact: [own, baseline, paced, ...warmUps].every(all) && (await check(warmUps[0].count + own.count)),
        note:
          `${own.rps.toFixed(0)} vs ${baseline.rps.toFixed(0)} requests/s; ` +
          `bare Fastify at ${paced.rps.toFixed(0)} requests/s: ${paced.cpuPerRequest.toFixed(0)} µs`,
      };
    },
  };
}

const cachedRead = cpuScenario({
  name: 'GET /api/products/:id (cached)',
  target: 2,
  status: 200,
  async prepare({ http, bare }) {
    const product = await http.admin('POST', '/api/products', {
      body: { name: 'read me', price: 100, currency: 'USD', stock: 10 },
    });
    const read = await http.call('GET', `/api/products/${product.body.id}`);
    await bare.put('products', product.body.id, { read: read.body });
    return {
      request: () => ({ method: 'GET', path: `/api/products/${product.body.id}` }),
      check: async () => true,
    };
  },
});

const soldOut = cpuScenario({
  name: 'POST /api/holds, sold out (409)',
  target: 2,
  status: 409,
  async prepare({ http, bare, db }) {
    const keys = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => http.customer(`late ${i}`)));
    const product = await http.admin('POST', '/api/products', {
      body: { name: 'gone', price: 100, currency: 'USD', stock: 1 },
    });
    const hold = { key: keys[0], body: { product_id: product.body.id, quantity: 1 } };
    await http.call('POST', '/api/holds', hold);
    const refused = await http.call('POST', '/api/holds', hold);
    await bare.put('products', product.body.id, {
      read: product.body,
      hold: template(refused, 'application/problem+json'),
    });
    return {
      request: (i) => ({
        method: 'POST',
        path: '/api/holds',
        headers: { authorization: `Bearer ${keys[i]}` },
        body: { product_id: product.body.id, quantity: 1 },
      }),
      check: async () => {
        const stock = await stockOf(db, product.body.id);
        return refused.status === 409 && stock.exact && stock.reserved_stock === 1;
      },
    };
  },
});

const hotHolds = cpuScenario({
  name: 'POST /api/holds, hot product',
  target: 3,
  status: 201,
  async prepare({ http, bare, db }) {
    const keys = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => http.customer(`holder ${i}`)));
    const product = await http.admin('POST', '/api/products', {
      body: { name: 'hot', price: 100, currency: 'USD', stock: MAX_STOCK },
    });
    const first = await http.call('POST', '/api/holds', {
      key: keys[0],
      body: { product_id: product.body.id, quantity: 1 },
    });
    await bare.put('products', product.body.id, {
      read: product.body,
      hold: template(first, 'application/json'),
    });
    return {
      request: (i) => ({
        method: 'POST',
        path: '/api/holds',
        headers: { authorization: `Bearer ${keys[i]}` },
        body: { product_id: product.body.id, quantity: 1 },
      }),
      check: async (granted) => {
        const stock = await stockOf(db, product.body.id);
        return first.status === 201 && stock.exact && stock.reserved_stock === granted + 1;
      },
    };
  },
});

const keyedDebits = cpuScenario({
  name: 'POST /api/wallets/:id/debit with Idempotency-Key, hot wallet',
  target: 3.5,
  status: 201,
  async prepare({ http, bare, db }) {
    const key = await http.customer('hot spender');
    const initial = 1e12;
    const walletId = await fundedWallet(http, key, 'USD', initial);
    const first = await http.call('POST', `/api/wallets/${walletId}/debit`, {
      key,
      body: { amount: 1 },
      idempotencyKey: randomUUID(),
    });
    await bare.put('wallets', walletId, { debit: template(first, 'application/json') });
    return {
      request: () => ({
        method: 'POST',
        path: `/api/wallets/${walletId}/debit`,
        headers: { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() },
        body: { amount: 1 },
      }),
      check: async (debited) => {
        const after = await ledgerOf(db, walletId);
        return (
          first.status === 201 &&
          after.debits === debited + 1 &&
          after.balance === initial - debited - 1 &&
          after.ledger === after.balance
        );
      },
    };
  },
});

module.exports = [cachedRead, soldOut, hotHolds, keyedDebits];
