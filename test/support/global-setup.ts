import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { runMigrations } from '../../src/shared/database/migrate';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startPostgres, startRedis } = require('../../scripts/embedded-services');

type Stop = () => Promise<void>;
const globals = globalThis as typeof globalThis & { __stops?: Stop[] };

/**
 * Each run gets its own database (created here, migrated, dropped in teardown) and its own Redis
 * key prefix. That database is a template only: every test file clones it into a database of its
 * own (see per-file-database.ts). With DATABASE_URL / REDIS_URL unset, an embedded PostgreSQL and a
 * local redis-server are started for the run, as `npm start` does.
 */
export default async function globalSetup(): Promise<void> {
  const stops: Stop[] = [];
  globals.__stops = stops;
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const database = `cw_test_${runId}`;
  let adminUrl: string;

  if (process.env.DATABASE_URL) {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    const serverUrl = process.env.DATABASE_URL;
    url.pathname = `/${database}`;
    process.env.DATABASE_URL = url.toString();
    adminUrl = serverUrl;
    stops.push(async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      // The template, and the database of any test file that did not get to drop its own.
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')`,
        [database],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      await client.end();
    });
  } else {
    const pg = await startPostgres({
      dir: join(mkdtempSync(join(tmpdir(), 'cw-test-pg-')), 'data'),
      database,
      temporary: true,
    });
    process.env.DATABASE_URL = pg.url;
    const url = new URL(pg.url);
    url.pathname = '/postgres';
    adminUrl = url.toString();
    stops.push(pg.stop);
  }

  if (!process.env.REDIS_URL) {
    const redis = await startRedis();
    process.env.REDIS_URL = redis.url;
    stops.push(redis.stop);
  }
  process.env.REDIS_KEY_PREFIX = `cwtest:${runId}`;
  process.env.ADMIN_API_KEY = 'test-admin-key-0123456789';
  process.env.WEBHOOK_SECRET = `whsec_${Buffer.from('test-webhook-secret-0123456789ab').toString('base64')}`;
  process.env.SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
  process.env.RATE_LIMIT_PER_MINUTE = '0';

  await runMigrations(process.env.DATABASE_URL as string);
  // Nobody connects to the template again: a connection to it would make every clone fail.
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS false`);
  await admin.end();
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  process.env.TEST_TEMPLATE_DATABASE = database;
}
