// `npm start`: the API and the queue worker in one process, on the embedded default when no
// DATABASE_URL / REDIS_URL is configured (a `.env` file is read first; the environment wins).
// `npm run start:dev` (--watch) also recompiles on change and restarts the service.
// Production runs `npm run start:prod` instead.
'use strict';
const { spawn } = require('child_process');
const net = require('net');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { startPostgres, startRedis } = require('./embedded-services');

const root = path.resolve(__dirname, '..');
const dataDir = path.join(root, '.data');
const say = (message) => process.stdout.write(`${message}\n`);

/** Demo secrets are generated once and kept in .data/, so the admin key stays the same across restarts. */
function demoSecrets() {
  const file = path.join(dataDir, 'dev-secrets.json');
  const kept = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  // A file written before a secret was added gets that one generated; the kept ones win.
  const secrets = {
    ADMIN_API_KEY: `admin_${crypto.randomBytes(24).toString('base64url')}`,
    WEBHOOK_SECRET: `whsec_${crypto.randomBytes(32).toString('base64')}`,
    SIGNING_SECRET: crypto.randomBytes(32).toString('base64url'),
    ...kept,
  };
  if (Object.keys(secrets).some((name) => !(name in kept))) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

function waitForHealth(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => {
        res.resume();
        if (res.statusCode === 200) return resolve();
        retry();
      });
      req.on('error', retry);
      req.on('timeout', () => req.destroy());
    };
    const retry = () =>
      Date.now() > deadline
        ? reject(new Error('the service did not become healthy'))
        : setTimeout(attempt, 250);
    attempt();
  });
}

/** Resolves when nothing listens on `port`; a taken port is said plainly before anything starts. */
function checkPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} is already in use (another server?): stop it, or start with PORT=<another port>`,
            )
          : error,
      ),
    );
    probe.listen(port, () => probe.close(resolve));
  });
}

async function main() {
  const watch = process.argv.includes('--watch');
  const dotenv = path.join(root, '.env');
  if (fs.existsSync(dotenv)) {
    process.loadEnvFile(dotenv);
    say('Read .env');
  }
  const env = { ...process.env };
  const stops = [];
  env.PORT = env.PORT || '3000';
  await checkPortFree(Number(env.PORT));

  const embeddedDatabase = !env.DATABASE_URL;
  if (embeddedDatabase) {
    say('No DATABASE_URL: starting an embedded PostgreSQL ...');
    const pg = await startPostgres({ dir: path.join(dataDir, 'pg'), database: 'checkout' });
    env.DATABASE_URL = pg.url;
    stops.push(pg.stop);
  }
  if (!env.REDIS_URL) {
    say('No REDIS_URL: starting a local redis-server ...');
    const redis = await startRedis();
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
    stops.push(async () => void tsc.kill('SIGTERM'));
  }
  const app = spawn(
    process.execPath,
    [...(watch ? ['--watch-path', path.join(root, 'dist')] : []), path.join(root, 'dist/src/main.js')],
    { env, stdio: 'inherit' },
  );
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    if (app.exitCode === null) {
      app.kill('SIGTERM');
      await new Promise((resolve) => app.once('exit', resolve));
    }
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  app.on('exit', (code) => void shutdown(code ?? 1));

  await waitForHealth(Number(env.PORT), 60000);
  const base = `http://localhost:${env.PORT}`;
  say('');
  say(`Swagger UI:    ${base}/docs   (click "Authorize" and paste the admin key)`);
  say(`Admin API key: ${env.ADMIN_API_KEY}`);
  if (embeddedDatabase)
    say(`Database:      ${env.DATABASE_URL}   (for npm run reconcile, migration:run or psql)`);
  say(
    `Demo page:     ${base}/demo/   (run \`npm run seed\` in another terminal for a customer and a link that opens it ready)`,
  );
  say(
    `Try:           curl -s -X POST ${base}/api/accounts -H "Authorization: Bearer ${env.ADMIN_API_KEY}" \\`,
  );
  say(`                 -H 'Content-Type: application/json' -d '{"name":"Alice"}'`);
  say('Press Ctrl+C to stop.');
  say('');
}

main().catch((error) => {
  console.error(`Could not start: ${error.message}`);
  process.exit(1);
});
