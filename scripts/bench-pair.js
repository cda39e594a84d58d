// Two builds of the service, side by side: each CPU scenario's CPU per request for a build "before"
// and a build "after", under the same load in alternating slices, to measure one change.
//
//   node scripts/bench-pair.js <before dir> <after dir> <reads|soldout|holds|debits> [...]
//
// Each directory is a checkout with its node_modules and `dist/` built (`npx tsc -p
// tsconfig.build.json`). Both run as deployed (ROLE=api, NODE_ENV=production, LOG_LEVEL=info, rate
// limit on with a limit no request reaches), each on its own database on DATABASE_URL's server and
// its own Redis prefix, deleted at the end. After 3 s of unmeasured load on each, the two get
// PAIR_SLICES (10) slices of PAIR_SLICE_SECONDS (2) each, in alternating order, 16 clients. It prints
// each build's CPU time (utime + stime from /proc) over the requests it answered, the machine's busy
// CPU time over the same requests (PostgreSQL, Redis and the load generator included: what a change
// in SQL costs shows there), its requests per second, and the median of the per-slice ratios after/before: the machine's speed drifts between slices when it is shared,
// and alternating puts the drift on both builds. PAIR_ROLE=all runs each build with its worker in the
// same process (the outbox relay, expiry), so that the machine's figure counts their work too.
// PAIR_PROFILE=<dir> writes each build's CPU profile (`node --cpu-prof`, setup and load alike) to
// <dir>/before and <dir>/after.
'use strict';
const { spawn } = require('child_process');
const { randomBytes, randomUUID } = require('crypto');
const path = require('path');
const { Client } = require('pg');
const fs = require('fs');
const { closedLoop, cpuSeconds, forgetRedisPrefix, median } = require('./bench-load');
const { freePort } = require('./embedded-services');

const CLIENTS = 16;
const SLICES = Number(process.env.PAIR_SLICES || 10);
const SLICE_SECONDS = Number(process.env.PAIR_SLICE_SECONDS || 2);
const ADMIN_KEY = `pair-admin-${randomBytes(12).toString('hex')}`;
const SCENARIOS = ['reads', 'soldout', 'holds', 'debits'];

/** The machine's busy CPU time so far, all processes (PostgreSQL and Redis too), from /proc/stat. */
function machineSeconds() {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  return (ticks.reduce((a, b) => a + b, 0) - ticks[3] - ticks[4]) / 100;
}

/** The build in `root`, started on a database of its own, with `scenario`'s resources made. */
async function startBuild(root, tag, scenario, admin) {
  const database = `cw_pair_${tag}_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = Object.assign(new URL(process.env.DATABASE_URL), { pathname: `/${database}` }).toString();
  const build = { database, prefix: `cwpair:${process.pid}:${tag}`, child: null };
  const { runMigrations } = require(path.resolve(root, 'dist/src/shared/database/migrate.js'));
  await runMigrations(url);
  const port = await freePort();
  const profile = process.env.PAIR_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.PAIR_PROFILE, tag)}`]
    : [];
  build.child = spawn(process.execPath, [...profile, path.resolve(root, 'dist/src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      REDIS_KEY_PREFIX: build.prefix,
      ADMIN_API_KEY: ADMIN_KEY,
      WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      SIGNING_SECRET: randomBytes(32).toString('base64url'),
      PORT: String(port),
      ROLE: process.env.PAIR_ROLE || 'api',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: String(1e9),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  build.base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${build.base}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 300) throw new Error(`${root} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const call = async (method, p, { key, body, idempotencyKey } = {}) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const res = await fetch(`${build.base}${p}`, { method, headers, body: body && JSON.stringify(body) });
    return res.json();
  };
  const customer = async (name) =>
    (await call('POST', '/api/accounts', { key: ADMIN_KEY, body: { name } })).api_key;
  const product = (stock) =>
    call('POST', '/api/products', {
      key: ADMIN_KEY,
      body: { name: 'p', price: 100, currency: 'USD', stock },
    });
  if (scenario === 'holds' || scenario === 'soldout') {
    const keys = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => customer(`c${i}`)));
    const { id } = await product(scenario === 'holds' ? 1000000 : 1);
    if (scenario === 'soldout')
      await call('POST', '/api/holds', { key: keys[0], body: { product_id: id, quantity: 1 } });
    build.expected = scenario === 'holds' ? '201' : '409';
    build.request = (i) => ({
      method: 'POST',
      path: '/api/holds',
      headers: { authorization: `Bearer ${keys[i]}` },
      body: { product_id: id, quantity: 1 },
    });
  } else if (scenario === 'debits') {
    const key = await customer('spender');
    const wallet = await call('POST', '/api/wallets', { key, body: { currency: 'USD' } });
    await call('POST', `/api/wallets/${wallet.id}/credit`, {
      key: ADMIN_KEY,
      body: { amount: 1e12 },
      idempotencyKey: randomUUID(),
    });
    build.expected = '201';
    build.request = () => ({
      method: 'POST',
      path: `/api/wallets/${wallet.id}/debit`,
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() },
      body: { amount: 1 },
    });
  } else {
    const { id } = await product(10);
    build.expected = '200';
    build.request = () => ({ method: 'GET', path: `/api/products/${id}` });
  }
  return build;
}

async function stopBuild(build, admin) {
  if (build.child && build.child.exitCode === null) {
    const exited = new Promise((resolve) => build.child.once('exit', resolve));
    build.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10000))]);
  }
  await admin.query(`DROP DATABASE IF EXISTS "${build.database}" WITH (FORCE)`);
  await forgetRedisPrefix(process.env.REDIS_URL, `${build.prefix}:`);
}

async function compare(roots, scenario, admin) {
  const builds = [];
  try {
    for (const [i, root] of roots.entries())
      builds.push(await startBuild(root, i ? 'after' : 'before', scenario, admin));
    for (const b of builds) await closedLoop(b.base, { clients: CLIENTS, seconds: 3, request: b.request });
    const perSlice = [[], []];
    const machinePerSlice = [[], []];
    const ratePerSlice = [[], []];
    const totals = builds.map(() => ({ cpu: 0, machine: 0, requests: 0 }));
    for (let k = 0; k < SLICES; k++) {
      for (const i of k % 2 === 0 ? [0, 1] : [1, 0]) {
        const before = cpuSeconds(builds[i].child.pid);
        const machineBefore = machineSeconds();
        const load = await closedLoop(builds[i].base, {
          clients: CLIENTS,
          seconds: SLICE_SECONDS,
          request: builds[i].request,
        });
        const cpu = cpuSeconds(builds[i].child.pid) - before;
        const machine = machineSeconds() - machineBefore;
        const unexpected = Object.keys(load.statuses).filter((s) => s !== builds[i].expected);
        if (unexpected.length > 0) throw new Error(`${roots[i]}: statuses ${JSON.stringify(load.statuses)}`);
        totals[i].cpu += cpu;
        totals[i].machine += machine;
        totals[i].requests += load.count;
        perSlice[i].push(cpu / load.count);
        machinePerSlice[i].push(machine / load.count);
        ratePerSlice[i].push(load.count / SLICE_SECONDS);
      }
    }
    const us = (t) =>
      `${((t.cpu / t.requests) * 1e6).toFixed(0)} µs/request (machine ${((t.machine / t.requests) * 1e6).toFixed(0)} µs) ` +
      `at ${(t.requests / SLICES / SLICE_SECONDS).toFixed(0)}/s`;
    const ratios = (slices) => slices[1].map((after, k) => after / slices[0][k]);
    const line = (rs) => `median ${median(rs).toFixed(3)} [${rs.map((r) => r.toFixed(2)).join(' ')}]`;
    console.log(
      `${scenario}: before ${us(totals[0])}, after ${us(totals[1])}; after/before per slice: ` +
        `service ${line(ratios(perSlice))}; machine ${line(ratios(machinePerSlice))}; ` +
        `requests/s ${line(ratios(ratePerSlice))}`,
    );
  } finally {
    for (const b of builds) await stopBuild(b, admin);
  }
}

async function main() {
  const [before, after, ...scenarios] = process.argv.slice(2);
  if (!before || !after || scenarios.length === 0 || scenarios.some((s) => !SCENARIOS.includes(s))) {
    throw new Error(`usage: node scripts/bench-pair.js <before dir> <after dir> <${SCENARIOS.join('|')}>...`);
  }
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    console.log(
      `bench-pair: ${SLICES} slices of ${SLICE_SECONDS} s per build, ${CLIENTS} clients, node ${process.version}`,
    );
    for (const scenario of scenarios) await compare([before, after], scenario, admin);
  } finally {
    await admin.end();
  }
}

main().catch((error) => {
  console.error(`bench-pair failed: ${error.stack || error.message}`);
  process.exit(1);
});
