// `npm run reset`: forgets what `npm start` kept for this checkout: the embedded PostgreSQL's data
// (in .data/pg, or as root under /var/tmp/checkout-wallet-pg/data-<hash of this checkout's path>),
// the generated admin key and webhook secret (.data/dev-secrets.json). The next `npm start` begins
// from an empty database with new secrets. Refuses while `npm start` runs in this checkout.
'use strict';
const fs = require('fs');
const path = require('path');
const { postgresDataDir } = require('./embedded-services');
const { runningInstance } = require('./processes');

const dataDir = path.join(__dirname, '..', '.data');

const running = runningInstance();
if (running) {
  console.error(`npm start is running in this checkout (pid ${running.pid}): stop it first`);
  process.exit(1);
}
for (const dir of [postgresDataDir(path.join(dataDir, 'pg')), dataDir]) {
  if (fs.existsSync(dir)) {
    fs.rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`Removed ${dir}\n`);
  }
}
process.stdout.write('Reset: the next `npm start` begins with an empty database and new secrets.\n');
