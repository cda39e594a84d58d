// Load generators for scripts/bench.js: closed-loop HTTP clients against the service, and the same
// transaction run directly against PostgreSQL (pgbench when it is on the PATH, else node-postgres
// with the same concurrency), so that every figure has a baseline measured in the same run.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { Client } = require('pg');

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * `clients` connections each send a request as soon as their previous one is answered, for
 * `seconds`. `request(i, n)` returns { method, path, headers, body } for client i's n-th request.
 */
async function closedLoop(base, { clients, seconds, request }) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies = [];
  const statuses = {};
  const deadline = performance.now() + seconds * 1000;
  const send = ({ method, path: p, headers = {}, body }) =>
    new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path: p,
          agent,
          headers: payload
            ? { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', () => resolve(0));
      req.end(payload);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t0 = performance.now();
        const status = await send(request(i, n));
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] || 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
    count: latencies.length,
  };
}

function hasPgbench() {
  return spawnSync('pgbench', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `sql` (one transaction, pgbench script syntax: variables as :name) with `clients`
 * connections for `seconds`; returns transactions per second.
 */
async function directSql(databaseUrl, { clients, seconds, sql, vars }) {
  if (hasPgbench()) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-bench-'));
    const script = path.join(dir, 'tx.sql');
    fs.writeFileSync(script, sql);
    const u = new URL(databaseUrl);
    const args = ['-n', '-c', String(clients), '-j', '2', '-T', String(seconds), '-f', script];
    for (const [k, v] of Object.entries(vars)) args.push('-D', `${k}=${v}`);
    args.push('-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'));
    args.push(u.pathname.slice(1));
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password || '') };
    const run = spawnSync('pgbench', args, { env, encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    const tps = /tps = ([\d.]+)/.exec(run.stdout || '');
    if (!tps) throw new Error(`pgbench failed: ${run.stderr || run.stdout}`);
    const avg = /latency average = ([\d.]+) ms/.exec(run.stdout);
    return { tps: Number(tps[1]), latencyAvg: avg ? Number(avg[1]) : null, tool: 'pgbench' };
  }
  // The same statements through node-postgres: the variables substituted as literals.
  const statements = sql
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.replace(/:(\w+)/g, (m, name) => (name in vars ? vars[name] : m)));
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        while (performance.now() < deadline) {
          for (const statement of statements) await client.query(statement);
          count++;
        }
      } finally {
        await client.end();
      }
    }),
  );
  return { tps: count / ((performance.now() - started) / 1000), latencyAvg: null, tool: 'node-postgres' };
}

module.exports = { closedLoop, directSql, percentile };
