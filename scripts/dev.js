// `npm start`: the API and the queue worker in one process, on the embedded default when no
// DATABASE_URL / REDIS_URL is configured. Production runs `npm run start:prod` instead.
'use strict';
const { spawn } = require('child_process');
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
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const secrets = {
    ADMIN_API_KEY: `admin_${crypto.randomBytes(24).toString('base64url')}`,
    WEBHOOK_SECRET: `whsec_${crypto.randomBytes(32).toString('base64')}`,
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
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

async function main() {
  const env = { ...process.env };
  const stops = [];

  if (!env.DATABASE_URL) {
    say('No DATABASE_URL: starting an embedded PostgreSQL (data in .data/pg) ...');
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
  env.PORT = env.PORT || '3000';

  say('Running migrations ...');
  const { runMigrations } = require(path.join(root, 'dist/src/shared/database/migrate.js'));
  const applied = await runMigrations(env.DATABASE_URL);
  say(applied.length ? `Applied ${applied.length} migration(s)` : 'Database is up to date');

  const app = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], { env, stdio: 'inherit' });
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
