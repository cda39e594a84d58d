import { randomBytes } from 'crypto';
import { basename, relative } from 'path';
import { Client } from 'pg';

/**
 * Runs before every test file (jest `setupFilesAfterEnv`): the file gets its own database, cloned
 * from the run's migrated template, and its own Redis key prefix, so that no test sees what another
 * file did. The database is dropped when the file ends. Unit tests (src/) touch neither.
 */
const testPath = expect.getState().testPath ?? '';
const needsServices = !relative(process.cwd(), testPath).startsWith('src');
const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
const template = process.env.TEST_TEMPLATE_DATABASE;

if (needsServices && adminUrl && template) {
  const slug = basename(testPath)
    .replace(/\.[a-z-]+-spec\.ts$/, '')
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase()
    .slice(0, 24);
  const tag = `${slug}_${randomBytes(3).toString('hex')}`;
  const database = `${template}_${tag}`.slice(0, 63);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  process.env.DATABASE_URL = url.toString();
  process.env.REDIS_KEY_PREFIX = `${process.env.REDIS_KEY_PREFIX}:${tag}`;

  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  beforeAll(() => admin((client) => client.query(`CREATE DATABASE "${database}" TEMPLATE "${template}"`)));
  afterAll(() => admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)));
}
