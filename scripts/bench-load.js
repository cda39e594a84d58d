// Load generators for scripts/bench.js: closed-loop HTTP clients against the service, and the same
// transaction run directly against PostgreSQL (pgbench when it is on the PATH, else node-postgres
// with the same concurrency), so that every figure has a baseline measured in the same run; and the
// CPU time a process spends on a load.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { Client } = require('pg');

/** The middle value, or the mean of the two middle ones. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection that writes an encoded request and reads one response,
 * as wrk does: the load generator shares the machine with the service, and Node's own http
 * client took about 25 µs of CPU per request where this takes about 10.
 * `send(bytes)` resolves with the status code, or 0 when the connection failed.
 */
function connection(host, port) {
  let socket = null;
  let buffered = Buffer.alloc(0);
  let waiting = null;
  const settle = (status) => {
    const resolve = waiting;
    waiting = null;
    if (resolve) resolve(status);
  };
  const parse = () => {
    if (!waiting) return;
    const headEnd = buffered.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end = headEnd + 4;
    if (length) end += Number(length[1]);
    else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = buffered.indexOf(CHUNKED_END, headEnd + 4);
      if (last < 0) return;
      end = last + CHUNKED_END.length;
    }
    if (buffered.length < end) return;
    buffered = buffered.subarray(end);
    if (/\r\nconnection:\s*close/i.test(head)) {
      const closing = socket;
      socket = null;
      closing.destroy();
    }
    settle(Number(head.slice(9, 12)));
  };
  const open = () =>
    new Promise((resolve) => {
      const s = net.connect({ host, port, noDelay: true });
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(null));
      s.on('data', (chunk) => {
        if (socket !== s) return;
        buffered = buffered.length > 0 ? Buffer.concat([buffered, chunk]) : chunk;
        parse();
      });
      // Only the connection in use fails the request waiting on it.
      s.on('close', () => {
        if (socket !== s) return;
        socket = null;
        buffered = Buffer.alloc(0);
        settle(0);
      });
    });
  return {
    async send(bytes) {
      if (!socket) socket = await open();
      if (!socket) return 0;
      return new Promise((resolve) => {
        waiting = resolve;
        socket.write(bytes);
      });
    },
    close: () => socket?.destroy(),
  };
}

function encode(host, { method, path: p, headers = {}, body }) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  let head = `${method} ${p} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (body !== undefined) {
    head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n`;
  }
  return Buffer.from(`${head}\r\n${payload}`);
}

/**
 * `clients` connections each send a request as soon as their previous one is answered, for
 * `seconds`. `request(i, n)` returns { method, path, headers, body } for client i's n-th request.
 * With `rate` (requests per second in all), a client also waits for its next turn at that rate.
 */
async function closedLoop(base, { clients, seconds, request, rate }) {
  const url = new URL(base);
  const latencies = [];
  const statuses = {};
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const conn = connection(url.hostname, Number(url.port));
      try {
        for (let n = 0; performance.now() < deadline; n++) {
          const turn = rate && started + ((n * clients + i) * 1000) / rate - performance.now();
          if (turn > 0) await new Promise((resolve) => setTimeout(resolve, turn));
          const bytes = encode(url.host, request(i, n));
          const t0 = performance.now();
          const status = await conn.send(bytes);
          latencies.push(performance.now() - t0);
          statuses[status] = (statuses[status] || 0) + 1;
        }
      } finally {
        conn.close();
      }
    }),
  );
  return summary([{ latencies, statuses, elapsed: (performance.now() - started) / 1000 }]);
}

/** The figures of one or more closed loops together: rate over their summed time, percentiles over all. */
function summary(parts) {
  const latencies = parts.flatMap((p) => p.latencies);
  const statuses = {};
  for (const p of parts)
    for (const [status, n] of Object.entries(p.statuses)) statuses[status] = (statuses[status] || 0) + n;
  const elapsed = parts.reduce((sum, p) => sum + p.elapsed, 0);
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
    count: latencies.length,
    latencies,
    elapsed,
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

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds (user + system, all threads) process `pid` has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  // After the command name (in parentheses, and it may hold spaces) come state, ppid, …: utime and
  // stime are the 14th and 15th fields of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * Each side's `request` against its own server, in alternating slices of the same closed loop, with
 * the CPU time the server's process `pid` spent during its slices. The machine's speed drifts over
 * seconds when it is shared; alternating puts the drift on both sides. A side's `rate(previous)`
 * paces it (see closedLoop), given the figures of each side's slice just before. Each side gets
 * `seconds` in all. Returns a summary per side, with `cpu` (seconds) and `cpuPerRequest` (µs).
 */
async function cpuSideBySide(sides, { clients, seconds, slices = 5 }) {
  const parts = sides.map(() => ({ loads: [], cpu: 0 }));
  for (let i = 0; i < slices; i++) {
    const previous = [];
    for (const [s, side] of sides.entries()) {
      const before = cpuSeconds(side.pid);
      parts[s].loads.push(
        await closedLoop(side.base, {
          clients,
          seconds: seconds / slices,
          request: side.request,
          rate: side.rate?.(previous),
        }),
      );
      parts[s].cpu += cpuSeconds(side.pid) - before;
      previous.push(parts[s].loads.at(-1));
    }
  }
  return parts.map(({ loads, cpu }) => {
    const total = summary(loads);
    return { ...total, cpu, cpuPerRequest: (cpu * 1e6) / total.count };
  });
}

/**
 * Deletes the keys under `prefix` (a run's REDIS_KEY_PREFIX, sub-prefixes included) from the Redis at
 * `redisUrl`, since it may be a user's: a run leaves a hold-expiry job per hold that no worker ran,
 * idempotency answers and rate-limit counts.
 */
async function forgetRedisPrefix(redisUrl, prefix) {
  const Redis = require('ioredis');
  const redis = new Redis(redisUrl);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

module.exports = {
  closedLoop,
  cpuSeconds,
  cpuSideBySide,
  directSql,
  forgetRedisPrefix,
  median,
  percentile,
  summary,
};
