import { createHash, randomUUID } from 'crypto';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../../src/shared/redis/redis.module';
import { redisKey } from '../../src/shared/redis/redis-keys';
import { pay, pendingOrder, refund, sendWebhook, succeeded } from '../support/payment-fixtures';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

const PROBLEM = /^application\/problem\+json/;

describe('settling refund_required payments (e2e)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const balanceOf = async (walletId: string) =>
    Number((await db.query('SELECT balance FROM wallets WHERE id = $1', [walletId]))[0].balance);
  const resolve = (paymentId: string, body: Record<string, unknown>, key: string = randomUUID()) =>
    t
      .http()
      .post(`/api/admin/payments/${paymentId}/resolve`)
      .set(bearer(ADMIN_KEY()))
      .set('Idempotency-Key', key)
      .send(body);
  const listed = async (query: Record<string, unknown>) =>
    (await t.http().get('/api/admin/payments').set(bearer(ADMIN_KEY())).query(query).expect(200)).body;
  type Listed = { id: string; status: string };
  /**
   * Every page of the list (other test files make payments meanwhile), or the pages up to the one
   * holding `until`.
   */
  const walk = async (query: Record<string, unknown>, limit = 100, until?: string): Promise<Listed[]> => {
    const rows: Listed[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Listed[]; next_cursor: string | null } = await listed({
        ...query,
        limit,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.data.length).toBeLessThanOrEqual(limit);
      rows.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor && !(until && rows.some((r) => r.id === until)) && rows.length < 5000);
    return rows;
  };
  const idsOf = async (query: Record<string, unknown>) => (await walk(query)).map((p) => p.id);

  /** A cancelled order whose payment then succeeded at the provider: money owed back. */
  async function refundRequired() {
    const f = await pendingOrder(t, { balance: 0, price: 1999, quantity: 2 });
    await t.http().post(`/api/orders/${f.orderId}/cancel`).set(bearer(f.customer.key)).expect(200);
    const event = succeeded({ order_id: f.orderId, amount: f.amount });
    await sendWebhook(t, event).expect(200);
    const order = (await t.http().get(`/api/orders/${f.orderId}`).set(bearer(f.customer.key)).expect(200))
      .body;
    expect(order.payment.status).toBe('refund_required');
    const [{ id }] = await db.query('SELECT id FROM payments WHERE order_id = $1', [f.orderId]);
    return { ...f, paymentId: id as string, externalPaymentId: event.data.payment_id };
  }

  it('lists refund_required payments; resolving one to a wallet credits it once and the payment becomes refunded', async () => {
    const f = await refundRequired();
    const owed = await walk({ status: 'refund_required' });
    expect(owed).toContainEqual({
      id: f.paymentId,
      order_id: f.orderId,
      method: 'external',
      status: 'refund_required',
      amount: 3998,
      currency: 'USD',
      external_payment_id: f.externalPaymentId,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    for (const payment of owed) expect(payment.status).toBe('refund_required');

    const key = randomUUID();
    const res = await resolve(f.paymentId, { wallet_id: f.walletId }, key).expect(200);
    expect(res.body).toMatchObject({
      id: f.paymentId,
      order_id: f.orderId,
      status: 'refunded',
      amount: 3998,
    });
    expect(await balanceOf(f.walletId)).toBe(3998);
    const entries = await db.query(
      `SELECT type, amount::int, reference_type, reference_id FROM wallet_transactions WHERE wallet_id = $1`,
      [f.walletId],
    );
    expect(entries).toEqual([
      { type: 'credit', amount: 3998, reference_type: 'order', reference_id: f.orderId },
    ]);
    const order = (await t.http().get(`/api/orders/${f.orderId}`).set(bearer(f.customer.key)).expect(200))
      .body;
    expect(order).toMatchObject({
      status: 'cancelled',
      refunded_amount: 3998,
      payment: { status: 'refunded' },
    });

    const replay = await resolve(f.paymentId, { wallet_id: f.walletId }, key).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(res.body);
    // The order's account was told both: money owed back, then returned (each once, replay or not).
    const events = (
      (await t.http().get('/api/events?limit=100').set(bearer(f.customer.key)).expect(200)).body
        .data as Array<{
        type: string;
        data: { object: { id: string; status: string } };
      }>
    )
      .filter((e) => e.data.object.id === f.paymentId)
      .reverse();
    expect(events.map((e) => [e.type, e.data.object.status])).toEqual([
      ['payment.refund_required', 'refund_required'],
      ['payment.resolved', 'refunded'],
    ]);
    expect(events[1].data.object).toEqual(res.body);
    const again = await resolve(f.paymentId, { wallet_id: f.walletId }).expect(409);
    expect(again.headers['content-type']).toMatch(PROBLEM);
    expect(again.body.code).toBe('payment_not_resolvable');
    expect(await balanceOf(f.walletId)).toBe(3998);
    expect(await idsOf({ status: 'refund_required' })).not.toContain(f.paymentId);
    expect(await idsOf({ status: 'refunded' })).toContain(f.paymentId);

    // The money of another provider payment for that order later is kept too, beside the settled one,
    // and the order keeps showing the payment it was settled with.
    const late = await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
    expect(late.body).toMatchObject({
      status: 'processed',
      order_status: 'cancelled',
      payment_status: 'refund_required',
    });
    const owedLater = await idsOf({ status: 'refund_required' });
    const [{ id: surplusId }] = await db.query(
      `SELECT id FROM payments WHERE order_id = $1 AND status = 'refund_required'`,
      [f.orderId],
    );
    expect(owedLater).toContain(surplusId);
    expect(
      (await t.http().get(`/api/orders/${f.orderId}`).set(bearer(f.customer.key)).expect(200)).body.payment,
    ).toMatchObject({ id: f.paymentId, status: 'refunded' });
  });

  it('money of a webhook for an order a wallet pay already paid: listed as refund_required, resolved once; the order keeps its payment', async () => {
    const f = await pendingOrder(t, { balance: 10000, price: 1999, quantity: 2 });
    const paid = await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
    const event = succeeded({ order_id: f.orderId, amount: f.amount });
    const webhook = await sendWebhook(t, event).expect(200);
    expect(webhook.body).toMatchObject({
      status: 'processed',
      order_status: 'paid',
      payment_status: 'refund_required',
    });

    const owed = (await walk({ status: 'refund_required' })).filter(
      (p) => (p as unknown as { order_id: string }).order_id === f.orderId,
    );
    expect(owed).toEqual([
      {
        id: expect.any(String),
        order_id: f.orderId,
        method: 'external',
        status: 'refund_required',
        amount: 3998,
        currency: 'USD',
        external_payment_id: event.data.payment_id,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      },
    ]);
    const surplusId = owed[0].id;
    expect(surplusId).not.toBe(paid.body.payment.id);
    expect(await idsOf({ status: 'succeeded' })).toContain(paid.body.payment.id);

    const key = randomUUID();
    const res = await resolve(surplusId, { wallet_id: f.walletId }, key).expect(200);
    expect(res.body).toMatchObject({ id: surplusId, order_id: f.orderId, status: 'refunded', amount: 3998 });
    expect(await balanceOf(f.walletId)).toBe(10000);
    const replay = await resolve(surplusId, { wallet_id: f.walletId }, key).expect(200);
    expect(replay.body).toEqual(res.body);
    const again = await resolve(surplusId, { wallet_id: f.walletId }).expect(409);
    expect(again.body.code).toBe('payment_not_resolvable');
    expect(await balanceOf(f.walletId)).toBe(10000);
    expect(await idsOf({ status: 'refund_required' })).not.toContain(surplusId);

    const order = async () =>
      (await t.http().get(`/api/orders/${f.orderId}`).set(bearer(f.customer.key)).expect(200)).body;
    expect(await order()).toMatchObject({
      status: 'paid',
      refunded_amount: 0,
      payment: { id: paid.body.payment.id, method: 'wallet', status: 'succeeded', amount: 3998 },
    });
    const reconciled = async () =>
      (await t.http().get('/api/admin/reconciliation').set(bearer(ADMIN_KEY())).expect(200)).body;
    expect((await reconciled()).checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);

    // The order's own payment is still refundable, to the paying wallet, and only it.
    t.clock.advance(1); // so that this refund is the later one
    await refund(t, f.orderId).expect(200);
    expect(await order()).toMatchObject({
      status: 'refunded',
      refunded_amount: 3998,
      payment: { id: paid.body.payment.id, method: 'wallet', status: 'refunded' },
    });
    expect(await balanceOf(f.walletId)).toBe(13998);
    expect(
      await db.query('SELECT payment_id, amount::int FROM refunds WHERE order_id = $1 ORDER BY created_at', [
        f.orderId,
      ]),
    ).toEqual([
      { payment_id: surplusId, amount: 3998 },
      { payment_id: paid.body.payment.id, amount: 3998 },
    ]);
    expect((await reconciled()).checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);

    // The same provider payment again is not recorded again.
    const late = await sendWebhook(t, event).expect(200);
    expect(late.body).toMatchObject({
      status: 'ignored',
      reason: 'refund_already_required',
      payment_status: 'refunded',
    });
  });

  it("a settlement gets a refund row of its own even under a key that once refunded the order's own payment", async () => {
    const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 1 });
    const paid = await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
    await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
    const [{ id: surplusId }] = await db.query(
      `SELECT id FROM payments WHERE order_id = $1 AND method = 'external'`,
      [f.orderId],
    );
    const key = randomUUID();
    await refund(t, f.orderId, { amount: 100 }, key).expect(200);
    // The key has expired since (as it does after IDEMPOTENCY_TTL_SECONDS), so the admin may use it again.
    const [{ account_id: scope }] = await db.query('SELECT account_id FROM idempotency_keys WHERE key = $1', [
      key,
    ]);
    await db.query(`UPDATE idempotency_keys SET expires_at = $2 WHERE key = $1`, [
      key,
      new Date(t.clock.now() - 1000),
    ]);
    await t.app
      .get<Redis>(REDIS)
      .del(redisKey(t.config, 'idem', scope, createHash('sha256').update(key, 'utf8').digest('hex')));

    t.clock.advance(1); // so that this refund is the later one
    const settled = await resolve(surplusId, { external_reference: 're_after_refund' }, key);
    expect([settled.status, settled.body.status]).toEqual([200, 'refunded']);
    expect(
      await db.query(
        'SELECT payment_id, amount::int, external_reference FROM refunds WHERE order_id = $1 ORDER BY created_at',
        [f.orderId],
      ),
    ).toEqual([
      { payment_id: paid.body.payment.id, amount: 100, external_reference: null },
      { payment_id: surplusId, amount: 1000, external_reference: 're_after_refund' },
    ]);
    const report = (await t.http().get('/api/admin/reconciliation').set(bearer(ADMIN_KEY())).expect(200))
      .body;
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
  });

  it('resolving with an external reference records it without moving any wallet', async () => {
    const f = await refundRequired();
    const res = await resolve(f.paymentId, { external_reference: 're_provider_123' }).expect(200);
    expect(res.body.status).toBe('refunded');
    expect(await balanceOf(f.walletId)).toBe(0);
    const [row] = await db.query(
      'SELECT amount::int, wallet_transaction_id, external_reference FROM refunds WHERE payment_id = $1',
      [f.paymentId],
    );
    expect(row).toEqual({ amount: 3998, wallet_transaction_id: null, external_reference: 're_provider_123' });
  });

  it('6 concurrent resolves with different keys: exactly one succeeds, 5 get 409; one credit', async () => {
    const f = await refundRequired();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => resolve(f.paymentId, { wallet_id: f.walletId })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409))
      expect(r.body.code).toBe('payment_not_resolvable');
    expect(await balanceOf(f.walletId)).toBe(3998);
  });

  it("settles only to a wallet of the order's account: another account's is a 422 wallet_not_eligible, and nothing is credited", async () => {
    const f = await refundRequired();
    const stranger = await customerWithWallet(t, 0, 'USD');
    const strangerEuros = await customerWithWallet(t, 0, 'EUR');
    for (const walletId of [stranger.walletId, strangerEuros.walletId]) {
      const res = await resolve(f.paymentId, { wallet_id: walletId }).expect(422);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('wallet_not_eligible');
    }
    expect(await balanceOf(stranger.walletId)).toBe(0);
    expect(await balanceOf(strangerEuros.walletId)).toBe(0);
    expect(await idsOf({ status: 'refund_required' })).toContain(f.paymentId);
    // Refused as a domain error: the key is spent on that answer, and a new key settles to the owner.
    await resolve(f.paymentId, { wallet_id: f.walletId }).expect(200);
    expect(await balanceOf(f.walletId)).toBe(3998);
  });

  it('refuses what cannot be settled: 409 for a paid order’s payment, 404, 422 currency_mismatch, 400, 403', async () => {
    const paid = await pendingOrder(t, { balance: 10000 });
    await pay(t, paid.customer.key, paid.orderId, paid.walletId).expect(200);
    const [{ id: paidPayment }] = await db.query('SELECT id FROM payments WHERE order_id = $1', [
      paid.orderId,
    ]);
    expect((await resolve(paidPayment, { wallet_id: paid.walletId }).expect(409)).body.code).toBe(
      'payment_not_resolvable',
    );

    const f = await refundRequired();
    expect((await resolve(randomUUID(), { wallet_id: f.walletId }).expect(404)).body.code).toBe('not_found');
    expect((await resolve(f.paymentId, { wallet_id: randomUUID() }).expect(404)).body.code).toBe('not_found');
    const euros = await t
      .http()
      .post('/api/wallets')
      .set(bearer(f.customer.key))
      .send({ currency: 'EUR' })
      .expect(201);
    expect((await resolve(f.paymentId, { wallet_id: euros.body.id }).expect(422)).body.code).toBe(
      'currency_mismatch',
    );
    for (const body of [
      {},
      { wallet_id: f.walletId, external_reference: 're_1' },
      { wallet_id: 'nope' },
      { external_reference: '' },
      { external_reference: 'x'.repeat(256) },
      { wallet_id: f.walletId, extra: 1 },
    ]) {
      expect((await resolve(f.paymentId, body).expect(400)).body.code).toBe('validation_failed');
    }
    const noKey = await t
      .http()
      .post(`/api/admin/payments/${f.paymentId}/resolve`)
      .set(bearer(ADMIN_KEY()))
      .send({ wallet_id: f.walletId })
      .expect(400);
    expect(noKey.body.code).toBe('idempotency_key_required');
    await t
      .http()
      .post(`/api/admin/payments/${f.paymentId}/resolve`)
      .set(bearer(f.customer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ wallet_id: f.walletId })
      .expect(403);
    await t.http().get('/api/admin/payments').set(bearer(f.customer.key)).expect(403);
    // Still owed: nothing above settled it.
    expect(await idsOf({ status: 'refund_required' })).toContain(f.paymentId);
    expect(await balanceOf(f.walletId)).toBe(0);
  });

  it('lists payments newest first a page at a time; a bad status, limit, cursor or parameter is 400', async () => {
    const a = await refundRequired();
    t.clock.advance(1); // newer by the app's clock, which stands still unless moved
    const b = await refundRequired();
    // Pages of one, newest first, down to the older of the two; no payment twice.
    const pages = (await walk({ status: 'refund_required' }, 1, a.paymentId)).map((p) => p.id);
    expect(new Set(pages).size).toBe(pages.length);
    expect(pages.filter((id) => id === a.paymentId || id === b.paymentId)).toEqual([
      b.paymentId,
      a.paymentId,
    ]);
    expect(await idsOf({})).toEqual(expect.arrayContaining([a.paymentId, b.paymentId]));
    for (const query of [{ status: 'owed' }, { limit: 0 }, { cursor: 'nope' }, { order: 'asc' }]) {
      const res = await t.http().get('/api/admin/payments').set(bearer(ADMIN_KEY())).query(query).expect(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});
