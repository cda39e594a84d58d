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
 * key prefix. With DATABASE_URL / REDIS_URL unset, an embedded PostgreSQL and a local redis-server
 * are started for the run, as `npm start` does.
 */
export default async function globalSetup(): Promise<void> {
  const stops: Stop[] = [];
  globals.__stops = stops;
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const database = `cw_test_${runId}`;

  if (process.env.DATABASE_URL) {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    const serverUrl = process.env.DATABASE_URL;
    url.pathname = `/${database}`;
    process.env.DATABASE_URL = url.toString();
    stops.push(async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await client.end();
    });
  } else {
    const pg = await startPostgres({
      dir: join(mkdtempSync(join(tmpdir(), 'cw-test-pg-')), 'data'),
      database,
      temporary: true,
    });
    process.env.DATABASE_URL = pg.url;
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
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
  process.env.RATE_LIMIT_PER_MINUTE = '0';

  await runMigrations(process.env.DATABASE_URL as string);
}
