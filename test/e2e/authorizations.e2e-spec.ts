import { getQueueToken } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { createHash, randomUUID } from 'crypto';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ExpireAuthorizationsService } from '../../src/modules/wallet/application/expire-authorizations.service';
import { AUTHORIZATION_EXPIRY_QUEUE, authorizationExpiryJobId } from '../../src/modules/wallet/wallet.tokens';
import { REDIS } from '../../src/shared/redis/redis.module';
import { redisKey } from '../../src/shared/redis/redis-keys';
import { eventually } from '../support/inventory-fixtures';
import { pendingOrder } from '../support/payment-fixtures';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import {
  authorize,
  bearer,
  customerWithWallet,
  debit,
  settleAuthorization,
} from '../support/wallet-fixtures';

const PROBLEM = /^application\/problem\+json/;
const WEEK = 604_800;

/**
 * The contract's "Authorizations" (API.md, Wallets). Time is not waited for: the app's clock stands
 * still until a test moves it, and a test runs what would run at `expires_at` (the delayed job,
 * promoted, or a sweep); the sweepers are off, so nothing expires behind a test's back.
 */
describe('wallet authorizations (e2e)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const wallet = async (id: string) =>
    (await t.http().get(`/api/wallets/${id}`).set(bearer(ADMIN_KEY())).expect(200)).body as {
      balance: number;
      held: number;
      available: number;
    };
  const money = async (id: string) => {
    const { balance, held, available } = await wallet(id);
    return { balance, held, available };
  };
  const ledger = (walletId: string) =>
    db.query(
      `SELECT type, amount::int, reference_type, reference_id FROM wallet_transactions
        WHERE wallet_id = $1 AND type = 'debit' ORDER BY created_at, id`,
      [walletId],
    );
  const queue = () => t.app.get<Queue>(getQueueToken(AUTHORIZATION_EXPIRY_QUEUE), { strict: false });
  async function jobOf(id: string): Promise<Job> {
    const job = await eventually(
      () => queue().getJob(authorizationExpiryJobId(id)),
      (j) => j !== null,
      2000,
    );
    expect(job).not.toBeNull();
    return job as Job;
  }

  it('holds money: 201 with Location, the wallet shows balance, held and available', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const res = await authorize(t, walletId, customer.key, { amount: 2500, description: 'Hotel deposit' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/authorizations/${res.body.id}`);
    expect(res.body).toEqual({
      id: expect.any(String),
      wallet_id: walletId,
      amount: 2500,
      captured_amount: 0,
      currency: 'USD',
      status: 'pending',
      expires_at: new Date(t.clock.now() + WEEK * 1000).toISOString(),
      created_at: new Date(t.clock.now()).toISOString(),
      updated_at: new Date(t.clock.now()).toISOString(),
    });
    expect(await money(walletId)).toEqual({ balance: 10_000, held: 2500, available: 7500 });
    const read = await t
      .http()
      .get(`/api/authorizations/${res.body.id}`)
      .set(bearer(customer.key))
      .expect(200);
    expect(read.body).toEqual(res.body);
    // Its expiry is scheduled at expires_at.
    expect((await jobOf(res.body.id)).opts.delay).toBe(WEEK * 1000);
  });

  it('debits and new authorizations draw on available, not on the balance', async () => {
    const { customer, walletId } = await customerWithWallet(t, 1000);
    await authorize(t, walletId, customer.key, { amount: 700 }).expect(201);
    const short = await debit(t, walletId, customer.key, 400, randomUUID());
    expect([short.status, short.body.code, short.body.detail]).toEqual([
      422,
      'insufficient_funds',
      'Available balance 300 (balance 1000, held 700) is below 400',
    ]);
    const tooMuch = await authorize(t, walletId, customer.key, { amount: 301 });
    expect([tooMuch.status, tooMuch.body.code]).toEqual([422, 'insufficient_funds']);
    await debit(t, walletId, customer.key, 300, randomUUID()).expect(201);
    expect(await money(walletId)).toEqual({ balance: 700, held: 700, available: 0 });
  });

  it('a capture of part takes it as one debit entry referencing the authorization and releases the rest; a second capture is 409', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const created = (await authorize(t, walletId, customer.key, { amount: 5000 }).expect(201)).body;
    t.clock.advance(1000);
    const captured = await settleAuthorization(t, created.id, customer.key, 'capture', { amount: 3000 });
    expect(captured.status).toBe(200);
    expect(captured.body).toEqual({
      ...created,
      captured_amount: 3000,
      status: 'captured',
      updated_at: new Date(t.clock.now()).toISOString(),
    });
    expect(await money(walletId)).toEqual({ balance: 7000, held: 0, available: 7000 });
    expect(await ledger(walletId)).toEqual([
      { type: 'debit', amount: 3000, reference_type: 'authorization', reference_id: created.id },
    ]);

    const again = await settleAuthorization(t, created.id, customer.key, 'capture', {});
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(PROBLEM);
    expect(again.body).toMatchObject({
      code: 'authorization_not_pending',
      detail: `Authorization ${created.id} is captured, not pending`,
    });
    const voided = await settleAuthorization(t, created.id, customer.key, 'void');
    expect([voided.status, voided.body.code]).toEqual([409, 'authorization_not_pending']);
    expect(await money(walletId)).toEqual({ balance: 7000, held: 0, available: 7000 });
  });

  it('a capture without amount takes all of it; more than authorized is 422 and changes nothing', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const created = (await authorize(t, walletId, customer.key, { amount: 4000 }).expect(201)).body;
    const over = await settleAuthorization(t, created.id, customer.key, 'capture', { amount: 4001 });
    expect([over.status, over.body.code]).toEqual([422, 'amount_exceeds_authorization']);
    expect(await money(walletId)).toEqual({ balance: 10_000, held: 4000, available: 6000 });
    const all = await settleAuthorization(t, created.id, customer.key, 'capture');
    expect([all.status, all.body.status, all.body.captured_amount]).toEqual([200, 'captured', 4000]);
    expect(await money(walletId)).toEqual({ balance: 6000, held: 0, available: 6000 });
  });

  it('a void releases the money; capturing a voided authorization is 409 and takes nothing', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const created = (await authorize(t, walletId, customer.key, { amount: 4000 }).expect(201)).body;
    const voided = await settleAuthorization(t, created.id, ADMIN_KEY(), 'void');
    expect([voided.status, voided.body.status, voided.body.captured_amount]).toEqual([200, 'voided', 0]);
    expect(await money(walletId)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
    const capture = await settleAuthorization(t, created.id, customer.key, 'capture');
    expect(capture.body).toMatchObject({
      code: 'authorization_not_pending',
      detail: `Authorization ${created.id} is voided, not pending`,
    });
    expect(await ledger(walletId)).toEqual([]);
  });

  it("the Idempotency-Key is required, replays the first answer, and another account's authorization is 404", async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const noKey = await t
      .http()
      .post(`/api/wallets/${walletId}/authorizations`)
      .set(bearer(customer.key))
      .send({ amount: 100 });
    expect([noKey.status, noKey.body.code]).toEqual([400, 'idempotency_key_required']);
    const key = randomUUID();
    const first = await authorize(t, walletId, customer.key, { amount: 100 }, key).expect(201);
    const replay = await authorize(t, walletId, customer.key, { amount: 100 }, key).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await money(walletId)).toEqual({ balance: 10_000, held: 100, available: 9900 });

    const mallory = await createCustomer(t, 'Mallory');
    await t.http().get(`/api/authorizations/${first.body.id}`).set(bearer(mallory.key)).expect(404);
    const steal = await settleAuthorization(t, first.body.id, mallory.key, 'capture');
    expect([steal.status, steal.body.code]).toEqual([404, 'not_found']);
    const other = await authorize(t, walletId, mallory.key, { amount: 100 });
    expect([other.status, other.body.code]).toEqual([404, 'not_found']);
  });

  it('with its stored answer gone (key expired, Redis flushed), a retry of the key is still one authorization: the table is keyed too', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const key = randomUUID();
    const first = await authorize(t, walletId, customer.key, { amount: 700 }, key).expect(201);
    await db.query('DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2', [customer.id, key]);
    const digest = createHash('sha256').update(key, 'utf8').digest('hex');
    await t.app.get<Redis>(REDIS).del(redisKey(t.config, 'idem', customer.id, digest));

    const again = await authorize(t, walletId, customer.key, { amount: 700 }, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body).toEqual(first.body);
    expect(await money(walletId)).toEqual({ balance: 10_000, held: 700, available: 9300 });

    await db.query('DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2', [customer.id, key]);
    await t.app.get<Redis>(REDIS).del(redisKey(t.config, 'idem', customer.id, digest));
    const other = await authorize(t, walletId, customer.key, { amount: 701 }, key);
    expect([other.status, other.body.code]).toEqual([422, 'idempotency_key_reused']);
    expect(await money(walletId)).toEqual({ balance: 10_000, held: 700, available: 9300 });
  });

  it('refuses bad input with 400: amount, expires_in_seconds out of 60..604800, unknown fields', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    for (const body of [
      {},
      { amount: 0 },
      { amount: 1.5 },
      { amount: 100, expires_in_seconds: 59 },
      { amount: 100, expires_in_seconds: 604_801 },
      { amount: 100, held: 5 },
    ]) {
      const res = await authorize(t, walletId, customer.key, body);
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    }
    const created = (await authorize(t, walletId, customer.key, { amount: 100 }).expect(201)).body;
    const zero = await settleAuthorization(t, created.id, customer.key, 'capture', { amount: 0 });
    expect([zero.status, zero.body.code]).toEqual([400, 'validation_failed']);
    expect(await money(walletId)).toEqual({ balance: 10_000, held: 100, available: 9900 });
  });

  it('records authorization.created, .captured, .voided and .expired, each showing the authorization as its GET does', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const events = async (id: string) =>
      (
        await t.http().get('/api/events').query({ limit: 100 }).set(bearer(customer.key)).expect(200)
      ).body.data
        .filter((e: { data: { object: { id: string } } }) => e.data.object.id === id)
        .map((e: { type: string; account_id: string; data: { object: unknown } }) => [
          e.type,
          e.account_id,
          e.data.object,
        ])
        .reverse();
    const read = async (id: string) =>
      (await t.http().get(`/api/authorizations/${id}`).set(bearer(customer.key)).expect(200)).body;

    const captured = (await authorize(t, walletId, customer.key, { amount: 500 }).expect(201)).body;
    const created = await read(captured.id);
    await settleAuthorization(t, captured.id, customer.key, 'capture', { amount: 200 }).expect(200);
    expect(await events(captured.id)).toEqual([
      ['authorization.created', customer.id, created],
      ['authorization.captured', customer.id, await read(captured.id)],
    ]);

    const voided = (await authorize(t, walletId, customer.key, { amount: 500 }).expect(201)).body;
    await settleAuthorization(t, voided.id, customer.key, 'void').expect(200);
    expect((await events(voided.id)).map(([type]: [string]) => type)).toEqual([
      'authorization.created',
      'authorization.voided',
    ]);
    expect((await events(voided.id))[1][2]).toEqual(await read(voided.id));

    const expired = (
      await authorize(t, walletId, customer.key, { amount: 500, expires_in_seconds: 60 }).expect(201)
    ).body;
    t.clock.advance(60_000);
    await t.app.get(ExpireAuthorizationsService).expireOne(expired.id);
    expect(await events(expired.id)).toEqual([
      ['authorization.created', customer.id, expired],
      ['authorization.expired', customer.id, await read(expired.id)],
    ]);
    // A refused capture records nothing.
    await settleAuthorization(t, expired.id, customer.key, 'capture').expect(409);
    expect(await events(expired.id)).toHaveLength(2);
  });

  describe('expiry at expires_at', () => {
    it('the delayed job expires it when the clock reaches expires_at, and not before', async () => {
      const { customer, walletId } = await customerWithWallet(t, 10_000);
      const created = (
        await authorize(t, walletId, customer.key, { amount: 3000, expires_in_seconds: 60 }).expect(201)
      ).body;
      const job = await jobOf(created.id);
      expect(job.opts.delay).toBe(60_000);
      // Early: the job changes nothing.
      t.clock.advance(59_999);
      expect(await t.app.get(ExpireAuthorizationsService).expireOne(created.id)).toBe(false);
      t.clock.advance(1);
      await job.promote();
      await job.finished();
      const read = await t
        .http()
        .get(`/api/authorizations/${created.id}`)
        .set(bearer(customer.key))
        .expect(200);
      expect(read.body).toMatchObject({ status: 'expired', captured_amount: 0 });
      expect(await money(walletId)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
      const capture = await settleAuthorization(t, created.id, customer.key, 'capture');
      expect(capture.body).toMatchObject({
        code: 'authorization_not_pending',
        detail: `Authorization ${created.id} is expired, not pending`,
      });
    });

    it('the sweeper expires one whose delayed job was lost', async () => {
      const { customer, walletId } = await customerWithWallet(t, 10_000);
      const created = (
        await authorize(t, walletId, customer.key, { amount: 3000, expires_in_seconds: 120 }).expect(201)
      ).body;
      await (await jobOf(created.id)).remove();
      const expiry = t.app.get(ExpireAuthorizationsService);
      t.clock.advance(119_000);
      expect(await expiry.sweep()).toBe(0);
      t.clock.advance(1000);
      expect(await expiry.sweep()).toBe(1);
      expect(await expiry.sweep()).toBe(0);
      expect(await money(walletId)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
      const [row] = await db.query('SELECT status FROM authorizations WHERE id = $1', [created.id]);
      expect(row.status).toBe('expired');
    });

    it('a capture that comes after expires_at, before the expiry ran, expires it and is refused: money accounted once', async () => {
      const { customer, walletId } = await customerWithWallet(t, 10_000);
      const created = (
        await authorize(t, walletId, customer.key, { amount: 3000, expires_in_seconds: 60 }).expect(201)
      ).body;
      t.clock.advance(60_000);
      const capture = await settleAuthorization(t, created.id, customer.key, 'capture');
      expect([capture.status, capture.body.code]).toEqual([409, 'authorization_not_pending']);
      expect(await money(walletId)).toEqual({ balance: 10_000, held: 0, available: 10_000 });
      // The expiry that runs after finds nothing to do.
      expect(await t.app.get(ExpireAuthorizationsService).expireOne(created.id)).toBe(false);
      expect(await ledger(walletId)).toEqual([]);
    });
  });

  describe('POST /api/orders/:id/pay with authorization_id', () => {
    it("captures the order's amount and moves the order to paid in one transaction", async () => {
      const f = await pendingOrder(t, { balance: 10_000, price: 1000, quantity: 2 });
      const held = (await authorize(t, f.walletId, f.customer.key, { amount: 5000 }).expect(201)).body;
      const paid = await t
        .http()
        .post(`/api/orders/${f.orderId}/pay`)
        .set(bearer(f.customer.key))
        .set('Idempotency-Key', randomUUID())
        .send({ authorization_id: held.id });
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({
        status: 'paid',
        payment: { method: 'wallet', status: 'succeeded', amount: 2000 },
      });
      const [entry] = await ledger(f.walletId);
      expect(entry).toEqual({
        type: 'debit',
        amount: 2000,
        reference_type: 'authorization',
        reference_id: held.id,
      });
      const [tx] = await db.query(
        `SELECT id FROM wallet_transactions WHERE reference_id = $1 AND reference_type = 'authorization'`,
        [held.id],
      );
      expect(paid.body.payment.wallet_transaction_id).toBe(tx.id);
      const read = await t
        .http()
        .get(`/api/authorizations/${held.id}`)
        .set(bearer(f.customer.key))
        .expect(200);
      expect(read.body).toMatchObject({ status: 'captured', captured_amount: 2000 });
      expect(await money(f.walletId)).toEqual({ balance: 8000, held: 0, available: 8000 });
    });

    it('a refused capture leaves the order pending and the authorization pending', async () => {
      const f = await pendingOrder(t, { balance: 10_000, price: 1000, quantity: 2 });
      const small = (await authorize(t, f.walletId, f.customer.key, { amount: 1999 }).expect(201)).body;
      const res = await t
        .http()
        .post(`/api/orders/${f.orderId}/pay`)
        .set(bearer(f.customer.key))
        .set('Idempotency-Key', randomUUID())
        .send({ authorization_id: small.id });
      expect([res.status, res.body.code]).toEqual([422, 'amount_exceeds_authorization']);
      const [order] = await db.query('SELECT status, payment_id FROM orders WHERE id = $1', [f.orderId]);
      expect(order).toEqual({ status: 'pending_payment', payment_id: null });
      const read = await t
        .http()
        .get(`/api/authorizations/${small.id}`)
        .set(bearer(f.customer.key))
        .expect(200);
      expect(read.body).toMatchObject({ status: 'pending', captured_amount: 0 });
      expect(await money(f.walletId)).toEqual({ balance: 10_000, held: 1999, available: 8001 });
    });

    it('both wallet_id and authorization_id, or neither, is 400', async () => {
      const f = await pendingOrder(t, { balance: 10_000, price: 1000, quantity: 1 });
      for (const body of [{}, { wallet_id: f.walletId, authorization_id: randomUUID() }]) {
        const res = await t
          .http()
          .post(`/api/orders/${f.orderId}/pay`)
          .set(bearer(f.customer.key))
          .set('Idempotency-Key', randomUUID())
          .send(body);
        expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
      }
    });
  });
});
