// `npm start`: builds, then runs the API and the queue worker in one process, on the embedded default
// when no DATABASE_URL / REDIS_URL is configured (a `.env` file is read first; the environment wins).
// `npm run start:dev` (--watch) also recompiles on change and restarts the service.
// `--no-build` skips the build when dist/ is known to be fresh. Production runs `npm run start:prod`.
//
// One instance per checkout: `.data/instance.json` names the running one, and a second start refuses.
// Whatever fails, every process this script started (PostgreSQL, redis-server, tsc --watch, the
// service) is stopped before it exits, with the reason on the last line.
'use strict';
const { spawn } = require('child_process');
const net = require('net');
const { randomBytes } = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { startPostgres, startRedis } = require('./embedded-services');
const { alive } = require('./processes');

const root = path.resolve(__dirname, '..');
const dataDir = path.join(root, '.data');
const instanceFile = path.join(dataDir, 'instance.json');
const say = (message) => process.stdout.write(`${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value `.env.example` shows for ADMIN_API_KEY: accepted by the service, known to everyone. */
const PLACEHOLDER_ADMIN_KEY = 'at-least-16-characters-of-secret';
const HEALTH_TIMEOUT_MS = 60000;

/** Demo secrets are generated once and kept in .data/, so the admin key stays the same across restarts. */
function demoSecrets() {
  const file = path.join(dataDir, 'dev-secrets.json');
  const kept = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  // A file written before a secret was added gets that one generated; the kept ones win.
  const secrets = {
    ADMIN_API_KEY: `admin_${randomBytes(24).toString('base64url')}`,
    WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
    SIGNING_SECRET: randomBytes(32).toString('base64url'),
    ...kept,
  };
  if (Object.keys(secrets).some((name) => !(name in kept))) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

/** The command line of a process, where /proc tells it (Linux); '' elsewhere. */
function commandOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * Refuses to start beside a running instance of this checkout (its PostgreSQL data directory can
 * have only one server). A record left by a start that was killed outright is cleared, and the
 * processes it had started that still run are stopped: they would hold the data directory.
 */
async function claimInstance(port) {
  if (fs.existsSync(instanceFile)) {
    let previous = {};
    try {
      previous = JSON.parse(fs.readFileSync(instanceFile, 'utf8'));
    } catch {
      // A torn record: no instance to refuse for.
    }
    if (
      previous.pid &&
      previous.pid !== process.pid &&
      alive(previous.pid) &&
      /dev\.js/.test(commandOf(previous.pid) || 'dev.js')
    ) {
      throw new Error(
        `npm start is already running in this checkout (pid ${previous.pid}, http://localhost:${previous.port}): ` +
          `stop it (Ctrl+C in its terminal, or kill ${previous.pid}) before starting another`,
      );
    }
    const leftovers = (previous.children ?? []).filter(
      (child) => alive(child.pid) && commandOf(child.pid).includes(child.match),
    );
    for (const child of leftovers) {
      say(`Stopping ${child.name} (pid ${child.pid}), left running by an earlier start that was killed`);
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // Gone meanwhile.
      }
    }
    // They let go of their port and data directory only once they have exited.
    const deadline = Date.now() + 15000;
    while (leftovers.some((child) => alive(child.pid)) && Date.now() < deadline) await sleep(100);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const record = { pid: process.pid, port, started_at: new Date().toISOString(), children: [] };
  const save = () => fs.writeFileSync(instanceFile, `${JSON.stringify(record, null, 2)}\n`);
  save();
  return {
    child(name, pid, match) {
      record.children.push({ name, pid, match });
      save();
    },
    release() {
      try {
        if (JSON.parse(fs.readFileSync(instanceFile, 'utf8')).pid === process.pid) fs.rmSync(instanceFile);
      } catch {
        // Already gone.
      }
    },
  };
}

/** Resolves when nothing listens on `port`; a taken port is said plainly before anything starts. */
function checkPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} is already in use (another server?): stop it, or set PORT=<another port>`)
          : error,
      ),
    );
    probe.listen(port, () => probe.close(resolve));
  });
}

/** One GET /health: its status and body, or null when nothing answers yet. */
function health(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
  });
}

/** Runs a command to its end, its output on this terminal; rejects naming it when it fails. */
function runToEnd(name, command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${name} failed (${signal ?? `exit code ${code}`})`)),
    );
  });
}

/**
 * The service as a child process whose last lines of error output are kept, so that a failure can
 * be told in the service's own words. With `watch`, it is restarted when dist/ changes.
 */
class Service {
  constructor(env, instance) {
    this.env = env;
    this.instance = instance;
    this.tail = [];
    this.child = null;
    this.onUnexpectedExit = () => undefined;
  }

  start() {
    const child = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], {
      env: this.env,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    this.child = child;
    this.instance.child('the service', child.pid, 'main.js');
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      this.tail.push(...String(chunk).split('\n').filter(Boolean));
      this.tail.splice(0, Math.max(0, this.tail.length - 20));
    });
    child.once('exit', (code, signal) => {
      if (this.child === child && !child.restarting) this.onUnexpectedExit(code, signal);
    });
  }

  /** Why the service stopped, in its own words when it said any. */
  reason(code, signal) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const last = this.tail.filter((line) => !/^\s+at /.test(line)).pop();
    return last ? `the service ${how}: ${last.trim()}` : `the service ${how}`;
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.restarting = true;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }

  async restart() {
    await this.stop();
    this.tail = [];
    this.start();
  }
}

/** Restarts the service once dist/ has been quiet for a moment after a change (tsc writes many files). */
function watchDist(service) {
  let timer;
  const watcher = fs.watch(path.join(root, 'dist'), { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      say('dist/ changed: restarting the service ...');
      service.restart();
    }, 300);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

/** Waits for /health to answer 200; fails at once when the service exits, else after the timeout with what /health said. */
function waitForHealth(port, service) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    let last = null;
    let done = false;
    service.onUnexpectedExit = (code, signal) => {
      done = true;
      reject(new Error(service.reason(code, signal)));
    };
    const attempt = async () => {
      if (done) return;
      last = (await health(port)) ?? last;
      if (done) return;
      if (last?.status === 200) {
        done = true;
        return resolve();
      }
      if (Date.now() > deadline) {
        done = true;
        const said = last ? `: /health answers ${last.status} ${last.body}` : ': nothing answers on its port';
        return reject(
          new Error(`the service did not become healthy within ${HEALTH_TIMEOUT_MS / 1000} s${said}`),
        );
      }
      setTimeout(attempt, 250);
    };
    attempt();
  });
}

async function main(stops) {
  const watch = process.argv.includes('--watch');
  const dotenv = path.join(root, '.env');
  if (fs.existsSync(dotenv)) {
    process.loadEnvFile(dotenv);
    say('Read .env');
  }
  const env = { ...process.env };
  if (env.ADMIN_API_KEY === PLACEHOLDER_ADMIN_KEY) {
    throw new Error(
      'ADMIN_API_KEY is the placeholder shown in .env.example: remove that line from .env (a key is then ' +
        'generated into .data/) or set a secret of your own',
    );
  }
  env.PORT = env.PORT || '3000';
  const port = Number(env.PORT);
  const instance = await claimInstance(port);
  stops.push(async () => instance.release());
  await checkPortFree(port);

  if (!process.argv.includes('--no-build')) {
    say('Building (tsc) ...');
    await runToEnd('the build', process.execPath, [
      require.resolve('typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
    ]);
  }

  const embeddedDatabase = !env.DATABASE_URL;
  if (embeddedDatabase) {
    say('No DATABASE_URL: starting an embedded PostgreSQL ...');
    const pg = await startPostgres({ dir: path.join(dataDir, 'pg'), database: 'checkout' });
    if (pg.pid) instance.child('PostgreSQL', pg.pid, 'postgres');
    env.DATABASE_URL = pg.url;
    stops.push(pg.stop);
  }
  if (!env.REDIS_URL) {
    say('No REDIS_URL: starting a local redis-server ...');
    const redis = await startRedis();
    instance.child('redis-server', redis.process.pid, 'redis-server');
    env.REDIS_URL = redis.url;
    stops.push(redis.stop);
  }
  const secrets = demoSecrets();
  env.ADMIN_API_KEY = env.ADMIN_API_KEY || secrets.ADMIN_API_KEY;
  env.WEBHOOK_SECRET = env.WEBHOOK_SECRET || secrets.WEBHOOK_SECRET;
  env.SIGNING_SECRET = env.SIGNING_SECRET || secrets.SIGNING_SECRET;

  say('Running migrations ...');
  const { runMigrations } = require(path.join(root, 'dist/src/shared/database/migrate.js'));
  const applied = await runMigrations(env.DATABASE_URL);
  say(applied.length ? `Applied ${applied.length} migration(s)` : 'Database is up to date');

  if (watch) {
    const tsc = spawn(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--watch',
        '--preserveWatchOutput',
      ],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    instance.child('tsc --watch', tsc.pid, 'tsc');
    stops.push(
      () =>
        new Promise((resolve) => {
          if (tsc.exitCode !== null || tsc.signalCode !== null) return resolve();
          tsc.once('exit', resolve);
          tsc.kill('SIGTERM');
        }),
    );
  }
  const service = new Service(env, instance);
  service.start();
  stops.push(() => service.stop());
  if (watch) {
    const unwatch = watchDist(service);
    stops.push(async () => unwatch());
  }

  await waitForHealth(port, service);
  service.onUnexpectedExit = (code, signal) => {
    if (watch) return say(`${service.reason(code, signal)}; waiting for a change to restart it`);
    console.error(`Stopped: ${service.reason(code, signal)}`);
    void shutdown(stops, code || 1);
  };

  const base = `http://localhost:${env.PORT}`;
  say('');
  say(`Swagger UI:    ${base}/docs   (click "Authorize" and paste the admin key)`);
  say(`Admin API key: ${env.ADMIN_API_KEY}`);
  if (embeddedDatabase)
    say(`Database:      ${env.DATABASE_URL}   (for npm run reconcile, migration:run or psql)`);
  say(
    `Demo page:     ${base}/demo/   (run \`npm run seed\` in another terminal for customers and a link that opens it ready)`,
  );
  say(`First purchase with curl: see the README`);
  say('Press Ctrl+C to stop.');
  say('');
}

let stopping = false;
async function shutdown(stops, code) {
  if (stopping) return;
  stopping = true;
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  process.exit(code);
}

const stops = [];
process.on('SIGINT', () => void shutdown(stops, 0));
process.on('SIGTERM', () => void shutdown(stops, 0));
main(stops).catch((error) => {
  console.error(`Could not start: ${error.message}`);
  void shutdown(stops, 1);
});
