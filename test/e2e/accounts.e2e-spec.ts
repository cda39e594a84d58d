import { spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { REDIS } from '../../src/shared/redis/redis.module';
import { eventually } from '../support/inventory-fixtures';
import { ADMIN_KEY, createCustomer, createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/wallet-fixtures';

const ADMIN_ACCOUNT_ID = '00000000-0000-4000-8000-000000000000';

describe('accounts (e2e)', () => {
  let t: TestApp;
  const admin = () => bearer(ADMIN_KEY());

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('GET /api/accounts', () => {
    it('lists accounts newest first for the admin, a page at a time', async () => {
      const a = await createCustomer(t, 'List A');
      t.clock.advance(1); // newer by the app's clock, which stands still unless moved
      const b = await createCustomer(t, 'List B');
      const first = await t.http().get('/api/accounts').set(admin()).query({ limit: 1 }).expect(200);
      // The file's own database: the newest account is the one just made.
      expect(first.body.data.map((x: { id: string }) => x.id)).toEqual([b.id]);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      expect(JSON.stringify(first.body)).not.toContain('api_key');

      const all: string[] = [];
      const entries: Array<Record<string, unknown>> = [];
      let cursor: string | undefined;
      do {
        const page = await t
          .http()
          .get('/api/accounts')
          .set(admin())
          .query(cursor ? { limit: 100, cursor } : { limit: 100 });
        all.push(...page.body.data.map((x: { id: string }) => x.id));
        entries.push(...page.body.data);
        cursor = page.body.next_cursor ?? undefined;
      } while (cursor);
      // Every account once, in the database's order.
      const rows: Array<{ id: string }> = await t.app
        .get(DataSource)
        .query(`SELECT id FROM accounts ORDER BY date_trunc('milliseconds', created_at) DESC, id DESC`);
      expect(all).toEqual(rows.map((r) => r.id));
      expect(all.slice(0, 2)).toEqual([b.id, a.id]);
      expect(all).toContain(ADMIN_ACCOUNT_ID);
      expect(entries.find((x) => x.id === b.id)).toEqual({
        id: b.id,
        name: 'List B',
        role: 'customer',
        created_at: expect.any(String),
      });
    });

    it('is for the admin only, and refuses bad paging', async () => {
      const customer = await createCustomer(t);
      const res = await t.http().get('/api/accounts').set(bearer(customer.key)).expect(403);
      expect(res.body.code).toBe('forbidden');
      await t.http().get('/api/accounts').expect(401);
      await t.http().get('/api/accounts').set(admin()).query({ limit: 0 }).expect(400);
      await t.http().get('/api/accounts').set(admin()).query({ cursor: 'nope' }).expect(400);
    });
  });

  describe('POST /api/accounts/:id/api-keys', () => {
    it('issues a new key that works at once; the old key stops working within 5 seconds', async () => {
      const customer = await createCustomer(t, 'Rotator');
      const bystander = await createCustomer(t, 'Bystander');
      const res = await t.http().post(`/api/accounts/${customer.id}/api-keys`).set(admin()).expect(201);
      expect(res.body).toEqual({ api_key: expect.stringMatching(/^cwk_/) });
      const fresh = res.body.api_key as string;
      expect(fresh).not.toBe(customer.key);

      const me = await t.http().get('/api/accounts/me').set(bearer(fresh)).expect(200);
      expect(me.body).toEqual({ id: customer.id, name: 'Rotator', role: 'customer' });
      const oldKey = await eventually(
        async () => (await t.http().get('/api/accounts/me').set(bearer(customer.key))).status,
        (status) => status === 401,
        5500,
      );
      expect(oldKey).toBe(401);
      await t.http().get('/api/accounts/me').set(bearer(bystander.key)).expect(200);

      const [row] = await t.app
        .get(DataSource)
        .query('SELECT api_key_hash FROM accounts WHERE id = $1', [customer.id]);
      expect(row.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('404 for an unknown account and for the admin account; 403 for a customer', async () => {
      await t.http().post(`/api/accounts/${randomUUID()}/api-keys`).set(admin()).expect(404);
      await t.http().post(`/api/accounts/${ADMIN_ACCOUNT_ID}/api-keys`).set(admin()).expect(404);
      await t.http().post('/api/accounts/not-a-uuid/api-keys').set(admin()).expect(400);
      const customer = await createCustomer(t);
      await t.http().post(`/api/accounts/${customer.id}/api-keys`).set(bearer(customer.key)).expect(403);
      await t.http().get('/api/accounts/me').set(bearer(customer.key)).expect(200);
    });
  });

  describe('the plain key is kept nowhere', () => {
    /** Everything the database holds, as pg_dump writes it (or, without a usable pg_dump, every row as JSON). */
    async function databaseText(): Promise<string> {
      const dump = spawnSync('pg_dump', ['--data-only', process.env.DATABASE_URL as string], {
        encoding: 'utf8',
      });
      if (dump.status === 0) return dump.stdout;
      const ds = t.app.get(DataSource);
      const tables: Array<{ name: string }> = await ds.query(
        `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`,
      );
      const rows = await Promise.all(
        tables.map(({ name }) => ds.query(`SELECT row_to_json(t)::text AS r FROM ${name} t`)),
      );
      return rows
        .flat()
        .map((row: { r: string }) => row.r)
        .join('\n');
    }

    /** Every value under this run's Redis prefix. */
    async function redisText(): Promise<string> {
      const redis = t.app.get<Redis>(REDIS);
      const keys = await redis.keys(`${t.config.REDIS_KEY_PREFIX}*`);
      const values = await Promise.all(
        keys.map(async (key) => {
          const type = await redis.type(key);
          if (type === 'string') return redis.get(key);
          if (type === 'hash') return JSON.stringify(await redis.hgetall(key));
          if (type === 'list') return JSON.stringify(await redis.lrange(key, 0, -1));
          if (type === 'set') return JSON.stringify(await redis.smembers(key));
          if (type === 'zset') return JSON.stringify(await redis.zrange(key, 0, -1));
          return '';
        }),
      );
      return keys.concat(values.map(String)).join('\n');
    }

    /**
     * Everything logged meanwhile, at every level: the application's one pino logger is turned up to
     * trace and its destination read instead of written.
     */
    function captureLogs(): { text: () => string; restore: () => void } {
      const root = PinoLogger.root;
      const stream = (root as unknown as Record<symbol, { write: (chunk: string) => boolean }>)[
        pino.symbols.streamSym
      ];
      const write = stream.write;
      const level = root.level;
      const written: string[] = [];
      stream.write = (chunk: string) => written.push(String(chunk)) > 0;
      root.level = 'trace';
      return {
        text: () => written.join(''),
        restore: () => {
          stream.write = write;
          root.level = level;
        },
      };
    }

    let logs: ReturnType<typeof captureLogs>;
    beforeAll(() => {
      logs = captureLogs();
    });
    afterAll(() => logs.restore());

    it('after an account is created and its key replaced, only hashes are stored', async () => {
      const created = await t
        .http()
        .post('/api/accounts')
        .set(admin())
        .send({ name: 'Secretive' })
        .expect(201);
      const rotated = await t
        .http()
        .post(`/api/accounts/${created.body.id}/api-keys`)
        .set(admin())
        .expect(201);
      await t.http().get('/api/accounts/me').set(bearer(rotated.body.api_key)).expect(200);
      await t.http().get('/api/accounts/me').set(bearer('cwk_wrong-key')).expect(401);
      const [dumped, cached] = await Promise.all([databaseText(), redisText()]);
      expect(dumped).toContain(created.body.id);
      expect(logs.text()).toContain('/api/accounts');
      for (const key of [created.body.api_key, rotated.body.api_key, 'cwk_wrong-key']) {
        expect(dumped).not.toContain(key);
        expect(cached).not.toContain(key);
        expect(logs.text()).not.toContain(key);
      }
    });

    it('after an idempotent account creation and its replay, the key is nowhere at rest', async () => {
      const idempotencyKey = randomUUID();
      const create = () =>
        t
          .http()
          .post('/api/accounts')
          .set(admin())
          .set('Idempotency-Key', idempotencyKey)
          .send({ name: 'Replayed' });
      const created = await create().expect(201);
      expect(created.body.api_key).toMatch(/^cwk_/);
      const replay = await create().expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual({ ...created.body, api_key: null });
      const [dumped, cached] = await Promise.all([databaseText(), redisText()]);
      expect(dumped).not.toContain(created.body.api_key);
      expect(cached).not.toContain(created.body.api_key);
      expect(logs.text()).not.toContain(created.body.api_key);
    });

    it('after an idempotent key rotation and its replay, the new key is nowhere at rest', async () => {
      const customer = await createCustomer(t, 'Rotated');
      const idempotencyKey = randomUUID();
      const rotate = () =>
        t
          .http()
          .post(`/api/accounts/${customer.id}/api-keys`)
          .set(admin())
          .set('Idempotency-Key', idempotencyKey);
      const rotated = await rotate().expect(201);
      expect(rotated.body.api_key).toMatch(/^cwk_/);
      const replay = await rotate().expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual({ api_key: null });
      await t.http().get('/api/accounts/me').set(bearer(rotated.body.api_key)).expect(200);
      const [dumped, cached] = await Promise.all([databaseText(), redisText()]);
      expect(dumped).toContain(idempotencyKey);
      for (const where of [dumped, cached, logs.text()]) expect(where).not.toContain(rotated.body.api_key);
    });
  });
});
