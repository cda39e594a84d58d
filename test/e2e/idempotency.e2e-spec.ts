import { Controller, Post } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../../src/shared/redis/redis.module';
import { redisKey } from '../../src/shared/redis/redis-keys';
import { Authenticated } from '../../src/shared/http/auth';
import { IdempotencyPurgeProcessor } from '../../src/shared/idempotency/idempotency-purge.processor';
import type { IdempotentRequest } from '../../src/shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../src/shared/idempotency/idempotent.decorator';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { metricIn } from '../support/metrics';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { bearer, credit, customerWithWallet, debit as debitAs } from '../support/wallet-fixtures';

const PROBLEM = /^application\/problem\+json/;

describe('Idempotency-Key on wallet movements (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const debit = (walletId: string, key: string, amount: number, idempotencyKey: string) =>
    debitAs(t, walletId, key, amount, idempotencyKey);
  const ledger = async (walletId: string) =>
    t.app
      .get(DataSource)
      .query('SELECT type, amount FROM wallet_transactions WHERE wallet_id = $1 ORDER BY created_at, id', [
        walletId,
      ]);
  const balance = async (walletId: string) =>
    (await t.http().get(`/api/wallets/${walletId}`).set(bearer(ADMIN_KEY())).expect(200)).body.balance;

  it('replays the first answer with idempotent-replayed: true and changes nothing', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    const first = await debit(walletId, customer.key, 300, 'replay-1').expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await debit(walletId, customer.key, 300, 'replay-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await balance(walletId)).toBe(700);
    expect(await ledger(walletId)).toHaveLength(2);
  });

  it('a retry that spells the wallet id in upper case is the same request: replayed, charged once', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    const first = await debit(walletId, customer.key, 300, 'case-1').expect(201);
    const again = await debit(walletId.toUpperCase(), customer.key, 300, 'case-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await balance(walletId)).toBe(700);
  });

  it('the same key with a different body or path is 422 idempotency_key_reused', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    await debit(walletId, customer.key, 300, 'reuse-1').expect(201);
    const other = await debit(walletId, customer.key, 301, 'reuse-1').expect(422);
    expect(other.headers['content-type']).toMatch(PROBLEM);
    expect(other.body.code).toBe('idempotency_key_reused');
    const described = await t
      .http()
      .post(`/api/wallets/${walletId}/debit`)
      .set(bearer(customer.key))
      .set('Idempotency-Key', 'reuse-1')
      .send({ amount: 300, description: 'changed' })
      .expect(422);
    expect(described.body.code).toBe('idempotency_key_reused');
    const otherPath = await t
      .http()
      .post('/api/wallets')
      .set(bearer(customer.key))
      .set('Idempotency-Key', 'reuse-1')
      .send({ currency: 'CHF' })
      .expect(422);
    expect(otherPath.body.code).toBe('idempotency_key_reused');
    expect(await balance(walletId)).toBe(700);
  });

  it('a body that fails validation is refused as such before its key is looked at, and leaves the key unused', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    const post = (body: object, key?: string) => {
      const req = t.http().post(`/api/wallets/${walletId}/debit`).set(bearer(customer.key));
      return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
    };
    // Without a key, with a key that is no key, and with a key already answered for another body.
    await debit(walletId, customer.key, 300, 'checked-1').expect(201);
    for (const key of [undefined, '', 'checked-1']) {
      const refused = await post({ amount: -5 }, key).expect(400);
      expect(refused.body.code).toBe('validation_failed');
    }
    // A valid body is refused for its key as before; the key's first answer still replays.
    expect((await post({ amount: 300 }).expect(400)).body.code).toBe('idempotency_key_required');
    expect((await post({ amount: 300 }, '').expect(400)).body.code).toBe('invalid_idempotency_key');
    expect((await post({ amount: 300 }, 'checked-1').expect(201)).headers['idempotent-replayed']).toBe(
      'true',
    );
    expect(await balance(walletId)).toBe(700);
  });

  it('the key order of the body does not matter', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    const send = (body: string) =>
      t
        .http()
        .post(`/api/wallets/${walletId}/debit`)
        .set(bearer(customer.key))
        .set('Idempotency-Key', 'order-1')
        .set('Content-Type', 'application/json')
        .send(body);
    const first = await send('{"amount":10,"description":"x"}').expect(201);
    const again = await send('{"description":"x","amount":10}').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });

  it('a debit refused for insufficient funds replays as that refusal, even after a top-up', async () => {
    const { walletId, customer } = await customerWithWallet(t, 500);
    const refused = await debit(walletId, customer.key, 800, 'too-much-1').expect(422);
    expect(refused.body).toMatchObject({ code: 'insufficient_funds', detail: 'Balance 500 is below 800' });
    expect(refused.body).not.toHaveProperty('replayed');
    await credit(t, walletId, 1000);
    const replayed = await debit(walletId, customer.key, 800, 'too-much-1').expect(422);
    expect(replayed.headers['content-type']).toMatch(PROBLEM);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toMatchObject({
      type: 'about:blank',
      title: 'Insufficient funds',
      status: 422,
      code: 'insufficient_funds',
      detail: 'Balance 500 is below 800',
      // The body says it is a replay, for readers that do not see headers (Swagger UI's body pane).
      replayed: true,
      original_request_id: refused.body.request_id,
    });
    expect(replayed.body.request_id).not.toBe(refused.body.request_id);
    expect(await balance(walletId)).toBe(1500);
    await debit(walletId, customer.key, 800, 'too-much-2').expect(201);
    expect(await balance(walletId)).toBe(700);
  });

  it('25 concurrent identical debits with one key make exactly one ledger entry', async () => {
    const { walletId, customer } = await customerWithWallet(t, 10000);
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => debit(walletId, customer.key, 300, 'storm-1')),
    );
    const created = answers.filter((r) => r.status === 201);
    const inUse = answers.filter((r) => r.status === 409);
    expect(created.length + inUse.length).toBe(25);
    expect(created.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    for (const r of created) expect(r.body).toEqual(created[0].body);
    for (const r of inUse) {
      expect(r.body.code).toBe('idempotency_key_in_use');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(await ledger(walletId)).toEqual([
      { type: 'credit', amount: '10000' },
      { type: 'debit', amount: '300' },
    ]);
    expect(await balance(walletId)).toBe(9700);
  });

  it('keys are scoped per account: the admin and the owner using one key on one wallet make two effects', async () => {
    const a = await customerWithWallet(t, 1000);
    const b = await customerWithWallet(t, 1000);
    const first = await debit(a.walletId, a.customer.key, 100, 'shared-key').expect(201);
    const other = await debit(b.walletId, b.customer.key, 100, 'shared-key').expect(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();

    // The admin's key is not the owner's, in the idempotency store and in the ledger alike.
    const byAdmin = await debit(a.walletId, ADMIN_KEY(), 100, 'shared-key').expect(201);
    expect(byAdmin.headers['idempotent-replayed']).toBeUndefined();
    expect(byAdmin.body.id).not.toBe(first.body.id);
    expect(byAdmin.body).toMatchObject({
      idempotency_key: 'shared-key',
      balance_before: 900,
      balance_after: 800,
    });
    expect(await balance(a.walletId)).toBe(800);
    expect(await ledger(a.walletId)).toHaveLength(3);
    const ownerAgain = await debit(a.walletId, a.customer.key, 100, 'shared-key').expect(201);
    expect(ownerAgain.headers['idempotent-replayed']).toBe('true');
    expect(ownerAgain.body).toEqual(first.body);
    const different = await debit(a.walletId, ADMIN_KEY(), 50, 'shared-key-2');
    expect(different.status).toBe(201);
    const clash = await t
      .http()
      .post(`/api/wallets/${a.walletId}/credit`)
      .set(bearer(ADMIN_KEY()))
      .set('Idempotency-Key', 'shared-key')
      .send({ amount: 100 })
      .expect(422);
    expect(clash.body.code).toBe('idempotency_key_reused');
    expect(await balance(a.walletId)).toBe(750);
  });

  it('counts idempotency outcomes and wallet movements in /metrics', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    const read = async () => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      return {
        claimed: metricIn(text, 'idempotency_requests_total', { outcome: 'claimed' }),
        replayed: metricIn(text, 'idempotency_requests_total', { outcome: 'replayed' }),
        reused: metricIn(text, 'idempotency_requests_total', { outcome: 'reused' }),
        debits: metricIn(text, 'wallet_movements_total', { type: 'debit', outcome: 'recorded' }),
        lockWaits: metricIn(text, 'wallet_lock_wait_seconds_count'),
      };
    };
    const before = await read();
    await debit(walletId, customer.key, 100, 'metrics-1').expect(201);
    await debit(walletId, customer.key, 100, 'metrics-1').expect(201);
    await debit(walletId, customer.key, 101, 'metrics-1').expect(422);
    const after = await read();
    expect({
      claimed: after.claimed - before.claimed,
      replayed: after.replayed - before.replayed,
      reused: after.reused - before.reused,
      debits: after.debits - before.debits,
      lockWaits: after.lockWaits - before.lockWaits,
    }).toEqual({ claimed: 1, replayed: 1, reused: 1, debits: 1, lockWaits: 1 });
  });

  it('applies to POSTs without the decorator when the header is sent', async () => {
    const send = (key?: string) => {
      const req = t.http().post('/api/accounts').set(bearer(ADMIN_KEY()));
      if (key) req.set('Idempotency-Key', key);
      return req.send({ name: 'Once' }).expect(201);
    };
    const first = await send('account-once');
    expect(first.body.api_key).toMatch(/^cwk_/);
    const again = await send('account-once');
    expect(again.headers['idempotent-replayed']).toBe('true');
    // The key is shown once and stored nowhere in plain text: the replay shows the account without it.
    expect(again.body).toEqual({ ...first.body, api_key: null });
    const [{ stored }] = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS stored FROM idempotency_keys WHERE response_body::text LIKE $1`, [
        `%${first.body.api_key}%`,
      ]);
    expect(stored).toBe(0);
    const redis = t.app.get<Redis>(REDIS);
    const cachedKeys = await redis.keys(redisKey(t.config, 'idem', '*'));
    const cachedValues = cachedKeys.length > 0 ? await redis.mget(...cachedKeys) : [];
    expect(cachedValues.some((v) => v?.includes(first.body.api_key))).toBe(false);
    expect((await send()).body.id).not.toBe(first.body.id);
  });

  it('treats a key past its TTL by the clock as absent, also in the replay cache, and purges expired keys', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    const ds = t.app.get(DataSource);
    await debit(walletId, customer.key, 100, 'old-key').expect(201);
    const cached = await t.app.get<Redis>(REDIS).keys(redisKey(t.config, 'idem', customer.id, '*'));
    expect(cached).toHaveLength(1);

    // The last test of its app: the clock moves past every key made so far.
    t.clock.advance(t.config.IDEMPOTENCY_TTL_SECONDS * 1000);
    const fresh = await t
      .http()
      .post('/api/wallets')
      .set(bearer(customer.key))
      .set('Idempotency-Key', 'old-key')
      .send({ currency: 'CHF' })
      .expect(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();

    const now = new Date(t.clock.now());
    const expired = async () =>
      (await ds.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE expires_at <= $1`, [now]))[0].n;
    const due = await expired();
    expect(due).toBeGreaterThan(0);
    expect((await t.app.get(IdempotencyPurgeProcessor).purge()).deleted).toBe(due);
    expect(await expired()).toBe(0);
    const [{ live }] = await ds.query(
      `SELECT count(*)::int AS live FROM idempotency_keys WHERE account_id = $1 AND key = 'old-key'`,
      [customer.id],
    );
    expect(live).toBe(1);
  });
});

let runs = 0;

/** A promise the test settles by hand: the slow handler waits on it instead of on the clock. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
let slowGate = gate();
/** The first slow unit of work of a test, settled once it has committed. */
let slowWork: Promise<unknown> | undefined;

/** Test-only routes around the real app: a slow unit of work and a handler that fails once. */
@Controller('test-only/idempotency')
class IdempotencyProbeController {
  constructor(private readonly uow: UnitOfWork) {}

  @Post('slow')
  @Authenticated()
  @Idempotent({ required: true })
  slow(
    @IdempotentRequestOf((r: { run: number }) => r)
    idempotent: IdempotentRequest<{ run: number }> | undefined,
  ): Promise<{ run: number }> {
    const work = this.uow.run(
      async () => {
        await slowGate.opened;
        return { run: ++runs };
      },
      { idempotent },
    );
    slowWork ??= work.catch(() => undefined);
    return work;
  }

  @Post('flaky')
  @Authenticated()
  @Idempotent({ required: true })
  // Changes nothing in the database: its answer is recorded on its own, after it.
  flaky(@IdempotentRequestOf((r: { run: number }) => r) _idempotent: unknown): { run: number } {
    runs += 1;
    if (runs % 2 === 1) throw new Error('transient failure');
    return { run: runs };
  }
}

describe('Idempotency-Key with timeouts and failures (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      // The retry's lock wait (100 ms) ends well before its request timeout (1 s).
      config: { REQUEST_TIMEOUT_MS: 1000, LOCK_TIMEOUT_MS: 100 },
      controllers: [IdempotencyProbeController],
    });
  });
  afterAll(() => t.close());

  it('after a 503 timeout, a retry waits for the first on its key, is in_use past the lock wait, then replays', async () => {
    runs = 0;
    slowGate = gate();
    slowWork = undefined;
    const { key } = await createCustomer(t);
    const call = () =>
      t.http().post('/test-only/idempotency/slow').set(bearer(key)).set('Idempotency-Key', 'slow-1');
    // The first request's work waits on the gate, so it is still running when it is answered.
    const timedOut = await call().expect(503);
    expect(timedOut.body.code).toBe('service_unavailable');
    const busy = await call().expect(409);
    expect(busy.body.code).toBe('idempotency_key_in_use');
    expect(busy.headers['retry-after']).toBe('1');
    expect(runs).toBe(0);
    slowGate.open();
    await slowWork;
    const replayed = await call().expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual({ run: 1 });
    expect(runs).toBe(1);
  });

  it('a 5xx releases the key so that the retry runs', async () => {
    runs = 0;
    const { key } = await createCustomer(t);
    const call = () =>
      t.http().post('/test-only/idempotency/flaky').set(bearer(key)).set('Idempotency-Key', 'flaky-1');
    const failed = await call().expect(500);
    expect(failed.body.code).toBe('internal_error');
    const retried = await call().expect(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.body).toEqual({ run: 2 });
    const replayed = await call().expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(2);
  });
});
