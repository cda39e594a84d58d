// `npm run bench`: runs the built service on a fresh database and measures it over HTTP on loopback.
// Uses DATABASE_URL / REDIS_URL when set (a database is created for the run and dropped after),
// else the embedded PostgreSQL and a local redis-server, like `npm start`.
// Each scenario is run ROUNDS times and reported as the median; comparisons are made in the same run.
'use strict';
const { spawn } = require('child_process');
const { randomBytes } = require('crypto');
const os = require('os');
const path = require('path');
const { Client } = require('pg');
const { startPostgres, startRedis, freePort } = require('./embedded-services');
const { forgetRedisPrefix, median } = require('./bench-load');

const root = path.resolve(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const ADMIN_KEY = `bench-admin-${randomBytes(12).toString('hex')}`;

async function withDatabase(fn) {
  const stops = [];
  let url = process.env.DATABASE_URL;
  const database = `cw_bench_${Date.now().toString(36)}`;
  if (url) {
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const server = url;
    const u = new URL(url);
    u.pathname = `/${database}`;
    url = u.toString();
    stops.push(async () => {
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c.end();
    });
  } else {
    const pg = await startPostgres({
      dir: path.join(os.tmpdir(), `cw-bench-${process.pid}`, 'data'),
      database,
      temporary: true,
    });
    url = pg.url;
    stops.push(pg.stop);
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedis();
    redisUrl = redis.url;
    stops.push(redis.stop);
  }
  try {
    return await fn(url, redisUrl);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/**
 * The built service with `env`; by default without request logs and without the rate limit, which
 * `env` may turn on. Its log lines go to /dev/null.
 */
async function startService(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], {
    env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('service did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** A small HTTP client for the scenarios. */
function client(base) {
  const call = async (method, url, { key, body, idempotencyKey } = {}) => {
    const headers = { 'content-type': 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const started = performance.now();
    const send = () =>
      fetch(`${base}${url}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    // A kept-alive connection the service closed as idle (after 5 s, while a scenario's load or
    // pgbench ran) can be picked just as it closes; such a request never reached the service.
    const res = await send().catch((error) => {
      if (error.cause?.code !== 'UND_ERR_SOCKET') throw error;
      return send();
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, ms: performance.now() - started };
  };
  return {
    call,
    admin: (method, url, opts = {}) => call(method, url, { ...opts, key: ADMIN_KEY }),
    customer: async (name) =>
      (await call('POST', '/api/accounts', { key: ADMIN_KEY, body: { name } })).body.api_key,
  };
}

const scenarios = require('./bench-scenarios');

const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** The command that reproduces this run's settings. */
function command() {
  const settings = ['BENCH_ONLY', 'BENCH_ROUNDS', 'BENCH_SECONDS']
    .filter((name) => process.env[name] !== undefined)
    .map((name) => `${name}='${process.env[name]}'`);
  return [...settings, 'npm run bench'].join(' ');
}

/** The CPU scenarios' table: each ratio against its target. */
function printCpuTable(rows) {
  console.log(
    "\nCPU per request: the process's utime + stime over the requests it answered, the service (ROLE=api, " +
      'LOG_LEVEL=info, rate limit on) beside bare Fastify, same load, same run; medians of rounds',
  );
  console.log(
    "\n| request | service | bare Fastify | ratio | target | | bare Fastify at the service's rate | ratio at that rate |",
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.scenario.replace(/^CPU per request: /, '')} | ${fmt(r.serviceValue)} µs | ${fmt(r.baselineValue)} µs | ` +
        `${r.ratioValue.toFixed(2)}x | <= ${r.target}x | ${r.ratioValue <= r.target ? 'met' : 'NOT MET'} | ` +
        `${fmt(r.paced)} µs | ${r.pacedRatio.toFixed(2)}x |`,
    );
  }
}

async function main() {
  await withDatabase(async (databaseUrl, redisUrl) => {
    const { runMigrations } = require(path.join(root, 'dist/src/shared/database/migrate.js'));
    await runMigrations(databaseUrl);
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `cwbench:${process.pid}`,
      ADMIN_API_KEY: ADMIN_KEY,
      WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      SIGNING_SECRET: randomBytes(32).toString('base64url'),
    };
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : null;
    console.log(
      `bench: median of ${ROUNDS} rounds per scenario, ${os.cpus().length} cores, node ${process.version}, ` +
        `${new Date().toISOString().slice(0, 10)}; load generator on this machine; ${command()}`,
    );
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const service = await startService(env);
    const rows = [];
    // What a group of scenarios starts once for all its rounds (a server, say), stopped at the end.
    const shared = new Map();
    const once = (key, start) => {
      if (!shared.has(key)) shared.set(key, start());
      return shared.get(key);
    };
    try {
      for (const scenario of scenarios) {
        if (only && !only.test(scenario.name)) continue;
        const rounds = [];
        for (let i = 0; i < (scenario.rounds ?? ROUNDS); i++) {
          rounds.push(
            await scenario.run({
              http: client(service.base),
              base: service.base,
              pid: service.pid,
              db,
              databaseUrl,
              env,
              startService,
              client,
              once,
            }),
          );
        }
        const m = (key) => median(rounds.map((r) => r[key]));
        const ratio =
          rounds[0].direct === undefined ? undefined : median(rounds.map((r) => r.service / r.direct));
        const ms = (key) => (rounds[0][key] === undefined ? '—' : `${fmt(m(key))} ms`);
        const row = {
          scenario: scenario.name,
          service: `${fmt(m('service'))} ${scenario.unit}`,
          baseline: rounds[0].direct === undefined ? '—' : `${fmt(m('direct'))} (${rounds[0].tool})`,
          ratio: ratio === undefined ? '—' : `${ratio.toFixed(2)}x`,
          p50: ms('p50'),
          p99: ms('p99'),
          exact: rounds.every((r) => r.exact) ? 'exact' : 'NOT EXACT',
          note: scenario.note ? scenario.note(rounds) : rounds[0].note || '',
        };
        console.log(Object.values(row).join(' | '));
        rows.push({ ...row, serviceValue: m('service'), baselineValue: m('direct'), ratioValue: ratio });
        if (scenario.target) {
          Object.assign(rows.at(-1), {
            target: scenario.target,
            paced: m('paced'),
            pacedRatio: median(rounds.map((r) => r.service / r.paced)),
          });
        }
      }
    } finally {
      for (const started of shared.values()) await (await started.catch(() => null))?.stop();
      await service.stop();
      await db.end();
      await forgetRedisPrefix(redisUrl, `${env.REDIS_KEY_PREFIX}:`);
    }
    console.log('\n| scenario | service | same SQL direct | ratio | p50 | p99 | invariants |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(
        `| ${r.scenario} | ${r.service} | ${r.baseline} | ${r.ratio} | ${r.p50} | ${r.p99} | ${r.exact}${r.note ? `; ${r.note}` : ''} |`,
      );
    }
    const cpu = rows.filter((r) => r.target);
    if (cpu.length > 0) printCpuTable(cpu);
    if (rows.some((r) => r.exact !== 'exact')) process.exitCode = 1;
  });
}

main().catch((error) => {
  console.error(
    `bench failed: ${error.stack || error.message}${error.cause ? `\ncaused by: ${error.cause.stack || error.cause}` : ''}`,
  );
  process.exit(1);
});
