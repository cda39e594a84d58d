import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { createOrder, createProduct, getProduct, placeHold, stockInDb } from '../support/inventory-fixtures';
import {
  failed,
  pay,
  pendingOrder,
  refund as refundOrder,
  sendWebhook,
  succeeded,
} from '../support/payment-fixtures';
import { ExpireOrdersService } from '../../src/modules/order/application/expire-orders.service';
import { locker } from '../support/locks';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

const PROBLEM = /^application\/problem\+json/;

describe('payments (e2e)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const balanceOf = async (walletId: string) =>
    Number((await db.query('SELECT balance FROM wallets WHERE id = $1', [walletId]))[0].balance);
  const getOrder = async (key: string, id: string) =>
    (await t.http().get(`/api/orders/${id}`).set(bearer(key)).expect(200)).body;
  const refund = (orderId: string, key: string = randomUUID(), body: Record<string, unknown> = {}) =>
    refundOrder(t, orderId, body, key);
  const refundCredits = async (orderId: string) =>
    (
      await db.query(
        `SELECT amount::int, description FROM wallet_transactions
          WHERE type = 'credit' AND reference_type = 'order' AND reference_id = $1 ORDER BY created_at, id`,
        [orderId],
      )
    ).map((row: { amount: number; description: string }) => row);

  describe('pay from a wallet', () => {
    it('debits the wallet, marks the order paid and sells the units, in one go', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1999, quantity: 2 });
      // Read once so that the product is cached before the payment changes its stock.
      expect(await getProduct(t, f.productId)).toMatchObject({ reserved_stock: 2, sold_stock: 0 });
      const res = await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      expect(res.body).toMatchObject({
        id: f.orderId,
        status: 'paid',
        amount: 3998,
        payment: { id: expect.any(String), method: 'wallet', status: 'succeeded', amount: 3998 },
      });
      const [entry] = await db.query(
        'SELECT id, type, amount, reference_type, reference_id FROM wallet_transactions WHERE wallet_id = $1 AND type = $2',
        [f.walletId, 'debit'],
      );
      expect(entry).toMatchObject({ type: 'debit', reference_type: 'order', reference_id: f.orderId });
      expect(res.body.payment.wallet_transaction_id).toBe(entry.id);
      expect(await balanceOf(f.walletId)).toBe(10000 - 3998);
      expect(await stockInDb(t, f.productId)).toEqual({
        total_stock: 10,
        available_stock: 8,
        reserved_stock: 0,
        sold_stock: 2,
      });
      // The payment's unit of work invalidated the cached product before answering.
      expect(await getProduct(t, f.productId)).toMatchObject({
        available_stock: 8,
        reserved_stock: 0,
        sold_stock: 2,
      });
    });

    it('15 concurrent pays with different keys: one charge, 14 order_not_payable; the winner replays', async () => {
      const f = await pendingOrder(t, { balance: 100000, price: 1000, quantity: 1 });
      const keys = Array.from({ length: 15 }, () => randomUUID());
      const results = await Promise.all(
        keys.map((key) => pay(t, f.customer.key, f.orderId, f.walletId, key)),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(14).fill(409)]);
      for (const r of results.filter((r) => r.status === 409)) expect(r.body.code).toBe('order_not_payable');
      expect(await balanceOf(f.walletId)).toBe(99000);
      const [{ debits }] = await db.query(
        `SELECT COUNT(*)::int AS debits FROM wallet_transactions WHERE reference_type = 'order' AND reference_id = $1`,
        [f.orderId],
      );
      expect(debits).toBe(1);

      const winner = results.findIndex((r) => r.status === 200);
      const replay = await pay(t, f.customer.key, f.orderId, f.walletId, keys[winner]).expect(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(results[winner].body);
      expect(await balanceOf(f.walletId)).toBe(99000);
    });

    it('422 insufficient_funds and nothing moves', async () => {
      const f = await pendingOrder(t, { balance: 1000, price: 1999, quantity: 1 });
      const res = await pay(t, f.customer.key, f.orderId, f.walletId).expect(422);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('insufficient_funds');
      expect((await getOrder(f.customer.key, f.orderId)).status).toBe('pending_payment');
      expect(await balanceOf(f.walletId)).toBe(1000);
    });

    it('422 currency_mismatch for a wallet in another currency', async () => {
      const f = await pendingOrder(t);
      const euros = await t
        .http()
        .post('/api/wallets')
        .set(bearer(f.customer.key))
        .send({ currency: 'EUR' })
        .expect(201);
      const res = await pay(t, f.customer.key, f.orderId, euros.body.id).expect(422);
      expect(res.body.code).toBe('currency_mismatch');
    });

    it("404 for another account's order or wallet; 400 without a key or with a bad body", async () => {
      const f = await pendingOrder(t);
      const other = await customerWithWallet(t, 100000);
      expect((await pay(t, other.customer.key, f.orderId, other.walletId).expect(404)).body.code).toBe(
        'not_found',
      );
      expect((await pay(t, f.customer.key, f.orderId, other.walletId).expect(404)).body.code).toBe(
        'not_found',
      );
      const noKey = await t
        .http()
        .post(`/api/orders/${f.orderId}/pay`)
        .set(bearer(f.customer.key))
        .send({ wallet_id: f.walletId });
      expect(noKey.status).toBe(400);
      expect(noKey.body.code).toBe('idempotency_key_required');
      const bad = await pay(t, f.customer.key, f.orderId, 'not-a-uuid').expect(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'wallet_id' })]);
    });

    it('past payment_due_at but not yet swept: 409 order_not_payable, nothing moves; the sweep then cancels it', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 2 });
      // A second before the app's clock reads.
      await db.query(`UPDATE orders SET payment_due_at = $2 WHERE id = $1`, [
        f.orderId,
        new Date(t.clock.now() - 1000),
      ]);
      const late = await pay(t, f.customer.key, f.orderId, f.walletId).expect(409);
      expect(late.headers['content-type']).toMatch(PROBLEM);
      expect(late.body.code).toBe('order_not_payable');
      expect(await balanceOf(f.walletId)).toBe(10000);
      // Sweepers are off in this app: the order waits, unpaid, with its units reserved.
      expect((await getOrder(f.customer.key, f.orderId)).status).toBe('pending_payment');
      expect(await stockInDb(t, f.productId)).toMatchObject({
        available_stock: 8,
        reserved_stock: 2,
        sold_stock: 0,
      });

      expect(await t.app.get(ExpireOrdersService).sweep()).toBe(1);
      expect((await getOrder(f.customer.key, f.orderId)).status).toBe('cancelled');
      expect(await stockInDb(t, f.productId)).toMatchObject({
        available_stock: 10,
        reserved_stock: 0,
        sold_stock: 0,
      });
      expect((await pay(t, f.customer.key, f.orderId, f.walletId).expect(409)).body.code).toBe(
        'order_not_payable',
      );
      expect(await balanceOf(f.walletId)).toBe(10000);
      const [{ payments }] = await db.query(
        'SELECT COUNT(*)::int AS payments FROM payments WHERE order_id = $1',
        [f.orderId],
      );
      expect(payments).toBe(0);
    });

    it('409 order_not_payable for a cancelled order', async () => {
      const f = await pendingOrder(t);
      await t.http().post(`/api/orders/${f.orderId}/cancel`).set(bearer(f.customer.key)).expect(200);
      expect((await pay(t, f.customer.key, f.orderId, f.walletId).expect(409)).body.code).toBe(
        'order_not_payable',
      );
      expect(await balanceOf(f.walletId)).toBe(10000);
    });
  });

  describe('refund', () => {
    it('twice with one key and once with another: one credit, one 409; units back to available', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 2500, quantity: 2 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      expect(await balanceOf(f.walletId)).toBe(5000);

      const key = randomUUID();
      const first = await refund(f.orderId, key).expect(200);
      expect(first.body.status).toBe('refunded');
      const again = await refund(f.orderId, key).expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const other = await refund(f.orderId).expect(409);
      expect(other.body.code).toBe('order_not_refundable');

      expect(await balanceOf(f.walletId)).toBe(10000);
      const credits = await db.query(
        `SELECT amount FROM wallet_transactions WHERE wallet_id = $1 AND type = 'credit' AND reference_type = 'order' AND reference_id = $2`,
        [f.walletId, f.orderId],
      );
      expect(credits).toEqual([{ amount: '5000' }]);
      expect(await stockInDb(t, f.productId)).toEqual({
        total_stock: 10,
        available_stock: 10,
        reserved_stock: 0,
        sold_stock: 0,
      });
    });

    it('partial refunds add up: 1, then 3000 with a reason, then the rest; units back only at the end', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1999, quantity: 2 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      expect(await balanceOf(f.walletId)).toBe(10000 - 3998);

      const one = await refund(f.orderId, randomUUID(), { amount: 1 }).expect(200);
      expect(one.body).toMatchObject({
        status: 'partially_refunded',
        amount: 3998,
        refunded_amount: 1,
        payment: { method: 'wallet', status: 'partially_refunded', amount: 3998 },
      });
      expect(await balanceOf(f.walletId)).toBe(10000 - 3998 + 1);
      expect(await stockInDb(t, f.productId)).toMatchObject({ available_stock: 8, sold_stock: 2 });

      const more = await refund(f.orderId, randomUUID(), { amount: 3000, reason: 'One pair was damaged' });
      expect(more.status).toBe(200);
      expect(more.body).toMatchObject({ status: 'partially_refunded', refunded_amount: 3001 });
      expect(await stockInDb(t, f.productId)).toMatchObject({ available_stock: 8, sold_stock: 2 });

      const rest = await refund(f.orderId).expect(200);
      expect(rest.body).toMatchObject({
        status: 'refunded',
        refunded_amount: 3998,
        payment: { status: 'refunded' },
      });
      expect(await balanceOf(f.walletId)).toBe(10000);
      expect(await stockInDb(t, f.productId)).toEqual({
        total_stock: 10,
        available_stock: 10,
        reserved_stock: 0,
        sold_stock: 0,
      });
      expect(await refundCredits(f.orderId)).toEqual([
        { amount: 1, description: `Refund of order ${f.orderId}` },
        { amount: 3000, description: `Refund of order ${f.orderId}: One pair was damaged` },
        { amount: 997, description: `Refund of order ${f.orderId}` },
      ]);
      expect(await getOrder(f.customer.key, f.orderId)).toEqual(rest.body);

      const nothingLeft = await refund(f.orderId, randomUUID(), { amount: 1 }).expect(409);
      expect(nothingLeft.body.code).toBe('order_not_refundable');
      expect(await balanceOf(f.walletId)).toBe(10000);
    });

    it('422 refund_exceeds_payment for more than is left, replayed as such; nothing moves', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1999, quantity: 2 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      const key = randomUUID();
      const tooMuch = await refund(f.orderId, key, { amount: 3999 }).expect(422);
      expect(tooMuch.headers['content-type']).toMatch(PROBLEM);
      expect(tooMuch.body.code).toBe('refund_exceeds_payment');
      const replayed = await refund(f.orderId, key, { amount: 3999 }).expect(422);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body.code).toBe('refund_exceeds_payment');

      await refund(f.orderId, randomUUID(), { amount: 3000 }).expect(200);
      const overRest = await refund(f.orderId, randomUUID(), { amount: 999 }).expect(422);
      expect(overRest.body.code).toBe('refund_exceeds_payment');
      expect((await getOrder(f.customer.key, f.orderId)).refunded_amount).toBe(3000);
      expect(await balanceOf(f.walletId)).toBe(10000 - 3998 + 3000);
    });

    it('a refund replayed with its key gives the same answer and one credit; another body is refused', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 3 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      const key = randomUUID();
      const first = await refund(f.orderId, key, { amount: 1000 }).expect(200);
      const again = await refund(f.orderId, key, { amount: 1000 }).expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const reused = await refund(f.orderId, key, { amount: 500 }).expect(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await refundCredits(f.orderId)).toEqual([
        { amount: 1000, description: `Refund of order ${f.orderId}` },
      ]);
      expect(await balanceOf(f.walletId)).toBe(8000);
      expect((await getOrder(f.customer.key, f.orderId)).refunded_amount).toBe(1000);
    });

    it('6 concurrent refunds of 1000 on 3000: exactly 3 succeed, 3 get 409 order_not_refundable', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 3 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      expect(await balanceOf(f.walletId)).toBe(7000);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => refund(f.orderId, randomUUID(), { amount: 1000 })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 409, 409, 409]);
      for (const r of results.filter((r) => r.status === 409))
        expect(r.body.code).toBe('order_not_refundable');
      expect(
        results
          .filter((r) => r.status === 200)
          .map((r) => r.body.refunded_amount)
          .sort(),
      ).toEqual([1000, 2000, 3000]);
      expect(await getOrder(f.customer.key, f.orderId)).toMatchObject({
        status: 'refunded',
        refunded_amount: 3000,
        payment: { status: 'refunded' },
      });
      expect(await balanceOf(f.walletId)).toBe(10000);
      expect((await refundCredits(f.orderId)).map((c: { amount: number }) => c.amount)).toEqual([
        1000, 1000, 1000,
      ]);
      expect(await stockInDb(t, f.productId)).toMatchObject({ available_stock: 10, sold_stock: 0 });
    });

    it('6 concurrent refunds of 1000 on 3500: exactly 3 succeed, 3 get 422 refund_exceeds_payment', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 700, quantity: 5 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => refund(f.orderId, randomUUID(), { amount: 1000 })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 422, 422, 422]);
      for (const r of results.filter((r) => r.status === 422)) {
        expect(r.body.code).toBe('refund_exceeds_payment');
      }
      expect(await getOrder(f.customer.key, f.orderId)).toMatchObject({
        status: 'partially_refunded',
        refunded_amount: 3000,
        payment: { status: 'partially_refunded' },
      });
      expect(await balanceOf(f.walletId)).toBe(10000 - 3500 + 3000);
      expect(await stockInDb(t, f.productId)).toMatchObject({ available_stock: 5, sold_stock: 5 });
    });

    it('an order paid by webhook is refunded in part without a ledger entry', async () => {
      const f = await pendingOrder(t, { balance: 0, price: 1999, quantity: 2 });
      await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
      const res = await refund(f.orderId, randomUUID(), { amount: 998 }).expect(200);
      expect(res.body).toMatchObject({
        status: 'partially_refunded',
        refunded_amount: 998,
        payment: { method: 'external', status: 'partially_refunded' },
      });
      expect(await refundCredits(f.orderId)).toEqual([]);
      const [row] = await db.query(
        'SELECT amount::int, wallet_transaction_id FROM refunds WHERE order_id = $1',
        [f.orderId],
      );
      expect(row).toEqual({ amount: 998, wallet_transaction_id: null });
    });

    it('400 for an amount that is not a positive integer, a long reason or an unknown field', async () => {
      const f = await pendingOrder(t);
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      for (const body of [
        { amount: 0 },
        { amount: '1' },
        { amount: 1.5 },
        { reason: 'x'.repeat(201) },
        { all: true },
      ]) {
        const res = await refund(f.orderId, randomUUID(), body).expect(400);
        expect(res.body.code).toBe('validation_failed');
      }
      expect((await getOrder(f.customer.key, f.orderId)).refunded_amount).toBe(0);
    });

    it('is admin only and needs a key; an unpaid order is not refundable', async () => {
      const f = await pendingOrder(t);
      const customer = await t
        .http()
        .post(`/api/orders/${f.orderId}/refund`)
        .set(bearer(f.customer.key))
        .set('Idempotency-Key', randomUUID())
        .send({});
      expect(customer.status).toBe(403);
      expect((await refund(f.orderId).expect(409)).body.code).toBe('order_not_refundable');
    });
  });

  describe('webhooks', () => {
    it.each([
      ['no signature', { signature: null }],
      ['a wrong signature', { signature: 'v1,bm90LXRoZS1yaWdodC1zaWduYXR1cmU=' }],
      [
        'another secret',
        { secret: 'whsec_' + Buffer.from('some-other-secret-0123456789abcd').toString('base64') },
      ],
      ['a stale timestamp (-10 min)', { skew: -600 }],
      ['a future timestamp (+10 min)', { skew: 600 }],
    ])('401 invalid_signature for %s, and nothing changes', async (_name, options) => {
      const f = await pendingOrder(t);
      const id = `msg_${randomUUID()}`;
      const res = await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount }), {
        ...options,
        id,
      }).expect(401);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('invalid_signature');
      expect((await getOrder(f.customer.key, f.orderId)).status).toBe('pending_payment');
      expect(await db.query('SELECT id FROM payment_webhook_events WHERE id = $1', [id])).toEqual([]);
    });

    it('pays a pending order; a repeated webhook-id gets the same answer and no second effect', async () => {
      const f = await pendingOrder(t);
      const event = succeeded({ order_id: f.orderId, amount: f.amount });
      const id = `msg_${randomUUID()}`;
      const first = await sendWebhook(t, event, { id }).expect(200);
      expect(first.body).toEqual({
        status: 'processed',
        event_id: id,
        order_id: f.orderId,
        order_status: 'paid',
        payment_status: 'succeeded',
      });
      const again = await sendWebhook(t, event, { id }).expect(200);
      expect(again.body).toEqual(first.body);
      const order = await getOrder(f.customer.key, f.orderId);
      expect(order).toMatchObject({
        status: 'paid',
        payment: { method: 'external', status: 'succeeded', amount: f.amount, wallet_transaction_id: null },
      });
      expect(await stockInDb(t, f.productId)).toMatchObject({ reserved_stock: 0, sold_stock: 2 });
    });

    it('12 concurrent deliveries of one event: one effect, the same answer', async () => {
      const f = await pendingOrder(t);
      const event = succeeded({ order_id: f.orderId, amount: f.amount });
      const id = `msg_${randomUUID()}`;
      const answers = await Promise.all(Array.from({ length: 12 }, () => sendWebhook(t, event, { id })));
      expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
      for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
      expect(answers[0].body).toMatchObject({ status: 'processed', order_status: 'paid' });
      const [{ payments }] = await db.query(
        'SELECT COUNT(*)::int AS payments FROM payments WHERE order_id = $1',
        [f.orderId],
      );
      expect(payments).toBe(1);
      expect(await stockInDb(t, f.productId)).toMatchObject({ reserved_stock: 0, sold_stock: 2 });
    });

    it('an event before its order (by hold_id) is kept as pending, then the order is created paid', async () => {
      const owner = await createCustomer(t, 'Early payer');
      const product = await createProduct(t, 5, { price: 700 });
      const hold = await placeHold(t, owner.key, product.id, 3).expect(201);
      const early = await sendWebhook(t, succeeded({ hold_id: hold.body.id, amount: 2100 })).expect(202);
      expect(early.body).toEqual({ status: 'pending', event_id: expect.any(String) });

      const order = await createOrder(t, owner.key, hold.body.id).expect(201);
      expect(order.body).toMatchObject({
        status: 'paid',
        payment: { method: 'external', status: 'succeeded', amount: 2100 },
      });
      expect(await stockInDb(t, product.id)).toEqual({
        total_stock: 5,
        available_stock: 2,
        reserved_stock: 0,
        sold_stock: 3,
      });
      const [event] = await db.query(
        'SELECT status, applied_order_id FROM payment_webhook_events WHERE id = $1',
        [early.body.event_id],
      );
      expect(event).toEqual({ status: 'processed', applied_order_id: order.body.id });
    });

    it.each([
      ['the event first: 202 pending, then the order is created paid', 'event', 202, 'paid'],
      ['the order first: created pending, then the event pays it (200)', 'order', 200, 'pending_payment'],
    ])(
      'an event racing the creation of its order is applied exactly once: %s',
      async (_name, first, webhookStatus, createdAs) => {
        const owner = await createCustomer(t, 'Racer');
        const product = await createProduct(t, 2, { price: 300 });
        const hold = (await placeHold(t, owner.key, product.id, 1).expect(201)).body;
        // Both take the hold's payment-target lock; holding it lines them up in a chosen order.
        const lock = await locker();
        let webhook: Promise<{ status: number; body: Record<string, unknown> }>;
        let order: Promise<{ status: number; body: Record<string, unknown> }>;
        try {
          await lock.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
            `payment-target:${hold.id}`,
          ]);
          const sendEvent = () => sendWebhook(t, succeeded({ hold_id: hold.id, amount: 300 })).then((r) => r);
          const sendOrder = () => createOrder(t, owner.key, hold.id).then((r) => r);
          if (first === 'event') {
            webhook = sendEvent();
            await lock.waiters(1);
            order = sendOrder();
          } else {
            order = sendOrder();
            await lock.waiters(1);
            webhook = sendEvent();
          }
          await lock.waiters(2);
        } finally {
          await lock.release();
        }
        const [w, o] = await Promise.all([webhook!, order!]);
        expect([w.status, o.status, o.body.status]).toEqual([webhookStatus, 201, createdAs]);
        if (webhookStatus === 200)
          expect(w.body).toMatchObject({ status: 'processed', order_status: 'paid' });
        expect(await getOrder(owner.key, o.body.id as string)).toMatchObject({
          status: 'paid',
          payment: { method: 'external', status: 'succeeded', amount: 300 },
        });
        const [{ payments }] = await db.query(
          'SELECT COUNT(*)::int AS payments FROM payments WHERE order_id = $1',
          [o.body.id],
        );
        expect(payments).toBe(1);
        expect(await stockInDb(t, product.id)).toEqual({
          total_stock: 2,
          available_stock: 1,
          reserved_stock: 0,
          sold_stock: 1,
        });
      },
    );

    /** Sends the webhook and the wallet pay for one order, lined up behind a lock on the order row. */
    async function payRacingWebhook(
      f: Awaited<ReturnType<typeof pendingOrder>>,
      first: 'webhook' | 'wallet',
    ) {
      const lock = await locker();
      let webhook: Promise<{ status: number; body: Record<string, unknown> }>;
      let wallet: Promise<{ status: number; body: Record<string, unknown> }>;
      try {
        await lock.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [f.orderId]);
        const sendEvent = () =>
          sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).then((r) => r);
        const sendPay = () => pay(t, f.customer.key, f.orderId, f.walletId).then((r) => r);
        if (first === 'webhook') {
          webhook = sendEvent();
          await lock.waiters(1);
          wallet = sendPay();
        } else {
          wallet = sendPay();
          await lock.waiters(1);
          webhook = sendEvent();
        }
        await lock.waiters(2);
      } finally {
        await lock.release();
      }
      const [w, p] = await Promise.all([webhook!, wallet!]);
      // Both are made at one instant of the app's clock, which stands still: the statuses tell which
      // won, and the wallet's payment is listed first.
      const payments = await db.query(
        `SELECT method, status, amount::int FROM payments WHERE order_id = $1 ORDER BY method DESC`,
        [f.orderId],
      );
      const debits = await db.query(
        `SELECT amount::int FROM wallet_transactions WHERE wallet_id = $1 AND type = 'debit'`,
        [f.walletId],
      );
      return { webhook: w, wallet: p, payments, debits };
    }

    it('a payment.succeeded webhook that locks the order before a wallet pay: one charge, the pay is refused', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 2 });
      const race = await payRacingWebhook(f, 'webhook');
      expect(race.webhook.status).toBe(200);
      expect(race.webhook.body).toMatchObject({
        status: 'processed',
        order_status: 'paid',
        payment_status: 'succeeded',
      });
      expect([race.wallet.status, race.wallet.body.code]).toEqual([409, 'order_not_payable']);
      expect(race.payments).toEqual([{ method: 'external', status: 'succeeded', amount: 2000 }]);
      expect(race.debits).toEqual([]);
      expect(await balanceOf(f.walletId)).toBe(10000);
      expect(await stockInDb(t, f.productId)).toMatchObject({ reserved_stock: 0, sold_stock: 2 });
    });

    it('a wallet pay that locks the order before a payment.succeeded webhook: one wallet charge, the order stays paid', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 2 });
      const race = await payRacingWebhook(f, 'wallet');
      expect(race.wallet.status).toBe(200);
      expect(race.wallet.body).toMatchObject({
        status: 'paid',
        payment: { method: 'wallet', status: 'succeeded' },
      });
      expect(race.debits).toEqual([{ amount: 2000 }]);
      expect(await balanceOf(f.walletId)).toBe(8000);
      expect(await stockInDb(t, f.productId)).toMatchObject({ reserved_stock: 0, sold_stock: 2 });
      expect([race.webhook.status, race.webhook.body.order_status]).toEqual([200, 'paid']);
      expect(race.payments).toContainEqual({ method: 'wallet', status: 'succeeded', amount: 2000 });
      expect(await getOrder(f.customer.key, f.orderId)).toMatchObject({
        status: 'paid',
        payment: { method: 'wallet', status: 'succeeded', amount: 2000 },
      });
    });

    it('the webhook money for an order a wallet pay already paid is kept as refund_required', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 2 });
      const race = await payRacingWebhook(f, 'wallet');
      expect(race.webhook.status).toBe(200);
      expect(race.webhook.body).toEqual({
        status: 'processed',
        event_id: expect.any(String),
        order_id: f.orderId,
        order_status: 'paid',
        payment_status: 'refund_required',
      });
      expect(race.payments).toEqual([
        { method: 'wallet', status: 'succeeded', amount: 2000 },
        { method: 'external', status: 'refund_required', amount: 2000 },
      ]);
      expect(race.debits).toEqual([{ amount: 2000 }]);
      // The order shows the payment that paid it, and was sold once.
      const order = await getOrder(f.customer.key, f.orderId);
      expect(order).toMatchObject({
        status: 'paid',
        refunded_amount: 0,
        payment: {
          id: (race.wallet.body.payment as { id: string }).id,
          method: 'wallet',
          status: 'succeeded',
          amount: 2000,
        },
      });
      expect(await stockInDb(t, f.productId)).toMatchObject({ reserved_stock: 0, sold_stock: 2 });
      const report = (await t.http().get('/api/admin/reconciliation').set(bearer(ADMIN_KEY())).expect(200))
        .body;
      expect(report.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);

      // The same provider payment again (a new webhook-id): recorded once. The first delivery replays.
      const [{ external_payment_id: paymentId }] = await db.query(
        `SELECT external_payment_id FROM payments WHERE order_id = $1 AND method = 'external'`,
        [f.orderId],
      );
      const again = await sendWebhook(
        t,
        succeeded({ order_id: f.orderId, amount: f.amount, payment_id: paymentId }),
      ).expect(200);
      expect(again.body).toMatchObject({
        status: 'ignored',
        reason: 'refund_already_required',
        order_status: 'paid',
        payment_status: 'refund_required',
      });
      const replay = await sendWebhook(
        t,
        succeeded({ order_id: f.orderId, amount: f.amount, payment_id: paymentId }),
        { id: race.webhook.body.event_id as string },
      ).expect(200);
      expect(replay.body).toEqual(race.webhook.body);
      const [{ payments }] = await db.query(
        'SELECT COUNT(*)::int AS payments FROM payments WHERE order_id = $1',
        [f.orderId],
      );
      expect(payments).toBe(2);
    });

    it('an order paid by webhook: its payment again changes nothing, another payment is kept as refund_required', async () => {
      const f = await pendingOrder(t, { price: 1500, quantity: 1 });
      const first = succeeded({ order_id: f.orderId, amount: f.amount });
      await sendWebhook(t, first).expect(200);
      const paid = await getOrder(f.customer.key, f.orderId);

      const repeat = await sendWebhook(t, first).expect(200);
      expect(repeat.body).toMatchObject({
        status: 'ignored',
        reason: 'already_applied',
        order_status: 'paid',
        payment_status: 'succeeded',
      });
      const other = succeeded({ order_id: f.orderId, amount: f.amount });
      t.clock.advance(1); // so that the second payment is the later one
      const surplus = await sendWebhook(t, other).expect(200);
      expect(surplus.body).toMatchObject({
        status: 'processed',
        order_status: 'paid',
        payment_status: 'refund_required',
      });
      const otherAgain = await sendWebhook(t, other).expect(200);
      expect(otherAgain.body).toMatchObject({ status: 'ignored', reason: 'refund_already_required' });
      expect(
        await db.query(
          `SELECT external_payment_id, status FROM payments WHERE order_id = $1 ORDER BY created_at`,
          [f.orderId],
        ),
      ).toEqual([
        { external_payment_id: first.data.payment_id, status: 'succeeded' },
        { external_payment_id: other.data.payment_id, status: 'refund_required' },
      ]);
      expect(await getOrder(f.customer.key, f.orderId)).toEqual(paid);
      expect(await stockInDb(t, f.productId)).toMatchObject({ reserved_stock: 0, sold_stock: 1 });
    });

    it('another payment for a partly, then fully refunded order is kept as refund_required; refunds go to the wallet payment', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 3 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      t.clock.advance(1); // so that the wallet payment is the earliest
      await refund(f.orderId, randomUUID(), { amount: 1000 }).expect(200);
      const partly = await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
      expect(partly.body).toMatchObject({
        status: 'processed',
        order_status: 'partially_refunded',
        payment_status: 'refund_required',
      });
      const rest = await refund(f.orderId).expect(200);
      expect(rest.body).toMatchObject({
        status: 'refunded',
        refunded_amount: 3000,
        payment: { method: 'wallet', status: 'refunded', amount: 3000 },
      });
      const full = await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
      expect(full.body).toMatchObject({
        status: 'processed',
        order_status: 'refunded',
        payment_status: 'refund_required',
      });
      expect(await refundCredits(f.orderId)).toEqual([
        { amount: 1000, description: `Refund of order ${f.orderId}` },
        { amount: 2000, description: `Refund of order ${f.orderId}` },
      ]);
      expect(await balanceOf(f.walletId)).toBe(10000);
      expect(
        await db.query(
          `SELECT method, status, amount::int FROM payments WHERE order_id = $1 ORDER BY created_at`,
          [f.orderId],
        ),
      ).toEqual([
        { method: 'wallet', status: 'refunded', amount: 3000 },
        { method: 'external', status: 'refund_required', amount: 3000 },
        { method: 'external', status: 'refund_required', amount: 3000 },
      ]);
      expect(await stockInDb(t, f.productId)).toMatchObject({ available_stock: 10, sold_stock: 0 });
    });

    it('two successes before their order: the order is created paid by the first, the second is kept as refund_required', async () => {
      const owner = await createCustomer(t, 'Paid twice early');
      const product = await createProduct(t, 5, { price: 400 });
      const hold = await placeHold(t, owner.key, product.id, 1).expect(201);
      const first = succeeded({ hold_id: hold.body.id, amount: 400 });
      const second = succeeded({ hold_id: hold.body.id, amount: 400 });
      await sendWebhook(t, first).expect(202);
      const late = await sendWebhook(t, second).expect(202);

      const order = await createOrder(t, owner.key, hold.body.id).expect(201);
      expect(order.body).toMatchObject({
        status: 'paid',
        payment: { method: 'external', status: 'succeeded', amount: 400 },
      });
      // Both made with the order, at one instant of the app's clock: listed succeeded first.
      expect(
        await db.query(
          `SELECT external_payment_id, status FROM payments WHERE order_id = $1 ORDER BY status DESC`,
          [order.body.id],
        ),
      ).toEqual([
        { external_payment_id: first.data.payment_id, status: 'succeeded' },
        { external_payment_id: second.data.payment_id, status: 'refund_required' },
      ]);
      const [event] = await db.query(
        'SELECT status, reason, applied_order_id FROM payment_webhook_events WHERE id = $1',
        [late.body.event_id],
      );
      expect(event).toEqual({ status: 'processed', reason: null, applied_order_id: order.body.id });
      expect(await stockInDb(t, product.id)).toMatchObject({ reserved_stock: 0, sold_stock: 1 });
    });

    it('an unknown order id is kept as pending (202)', async () => {
      const res = await sendWebhook(t, succeeded({ order_id: randomUUID(), amount: 100 })).expect(202);
      expect(res.body.status).toBe('pending');
    });

    it('failed then succeeded: cancelled, then the payment shows refund_required', async () => {
      const f = await pendingOrder(t);
      const fail = await sendWebhook(t, failed({ order_id: f.orderId, amount: f.amount })).expect(200);
      expect(fail.body).toMatchObject({ status: 'processed', order_status: 'cancelled' });
      expect(await stockInDb(t, f.productId)).toMatchObject({ available_stock: 10, reserved_stock: 0 });
      const late = await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
      expect(late.body).toMatchObject({
        status: 'processed',
        order_status: 'cancelled',
        payment_status: 'refund_required',
      });
      expect(await getOrder(f.customer.key, f.orderId)).toMatchObject({
        status: 'cancelled',
        payment: { method: 'external', status: 'refund_required', amount: f.amount },
      });
      expect(await stockInDb(t, f.productId)).toMatchObject({ available_stock: 10, sold_stock: 0 });
    });

    it('succeeded then failed: stays paid', async () => {
      const f = await pendingOrder(t);
      await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
      const late = await sendWebhook(t, failed({ order_id: f.orderId, amount: f.amount })).expect(200);
      expect(late.body).toMatchObject({ status: 'ignored', reason: 'order_paid', order_status: 'paid' });
      expect((await getOrder(f.customer.key, f.orderId)).status).toBe('paid');
    });

    it('a success after the customer cancelled is refund_required', async () => {
      const f = await pendingOrder(t);
      await t.http().post(`/api/orders/${f.orderId}/cancel`).set(bearer(f.customer.key)).expect(200);
      const res = await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
      expect(res.body).toMatchObject({ order_status: 'cancelled', payment_status: 'refund_required' });
    });

    it('an amount or currency that does not match changes nothing and is recorded', async () => {
      const f = await pendingOrder(t);
      const amount = await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount - 1 })).expect(
        200,
      );
      expect(amount.body).toMatchObject({
        status: 'ignored',
        reason: 'amount_mismatch',
        order_status: 'pending_payment',
      });
      const currency = await sendWebhook(
        t,
        succeeded({ order_id: f.orderId, amount: f.amount, currency: 'EUR' }),
      ).expect(200);
      expect(currency.body).toMatchObject({ status: 'ignored', reason: 'currency_mismatch' });
      const [event] = await db.query('SELECT status, reason FROM payment_webhook_events WHERE id = $1', [
        amount.body.event_id,
      ]);
      expect(event).toEqual({ status: 'ignored', reason: 'amount_mismatch' });
      expect((await getOrder(f.customer.key, f.orderId)).status).toBe('pending_payment');
    });

    it('400 for a signed body that is not a valid event', async () => {
      const noTarget = await sendWebhook(t, succeeded({ amount: 100 })).expect(400);
      expect(noTarget.body.errors).toEqual([expect.objectContaining({ field: 'data.order_id' })]);
      const badType = await sendWebhook(t, {
        type: 'payment.refunded',
        data: { payment_id: 'p', order_id: randomUUID(), amount: 1, currency: 'USD' },
      }).expect(400);
      expect(badType.body.errors[0].field).toBe('type');
      const badAmount = await sendWebhook(t, succeeded({ order_id: randomUUID(), amount: 1.5 })).expect(400);
      expect(badAmount.body.errors[0].field).toBe('data.amount');
    });
  });

  describe('reconciliation', () => {
    const report = async () =>
      (await t.http().get('/api/admin/reconciliation').set(bearer(ADMIN_KEY())).expect(200)).body;

    it('is ok after a concurrent mixed workload, with the exact outcome of every request', async () => {
      const product = await createProduct(t, 30, { price: 500 });
      const buyers = await Promise.all(Array.from({ length: 8 }, () => customerWithWallet(t, 5000)));
      // Buyer i % 4: 0 leaves its hold, 1 orders and cancels, 2 pays twice at once beside a debit,
      // 3 does what 2 does and is then refunded.
      const outcomes = await Promise.all(
        buyers.map(async (buyer, i) => {
          const hold = await placeHold(t, buyer.customer.key, product.id, 2);
          if (i % 4 === 0) return [hold.status];
          const order = await createOrder(t, buyer.customer.key, hold.body.id);
          if (i % 4 === 1) {
            const cancel = await t
              .http()
              .post(`/api/orders/${order.body.id}/cancel`)
              .set(bearer(buyer.customer.key));
            return [hold.status, order.status, cancel.status];
          }
          const answers = await Promise.all([
            pay(t, buyer.customer.key, order.body.id, buyer.walletId),
            pay(t, buyer.customer.key, order.body.id, buyer.walletId),
            t
              .http()
              .post(`/api/wallets/${buyer.walletId}/debit`)
              .set(bearer(buyer.customer.key))
              .set('Idempotency-Key', randomUUID())
              .send({ amount: 300 }),
          ]);
          const pays = answers
            .slice(0, 2)
            .map((a) => `${a.status}${a.body.code ? ` ${a.body.code}` : ''}`)
            .sort();
          const result = [hold.status, order.status, ...pays, answers[2].status];
          if (i % 4 === 3) result.push((await refund(order.body.id)).status);
          return result;
        }),
      );
      const paid = [201, 201, '200', '409 order_not_payable', 201];
      expect(outcomes).toEqual([
        [201],
        [201, 201, 200],
        paid,
        [...paid, 200],
        [201],
        [201, 201, 200],
        paid,
        [...paid, 200],
      ]);
      const balances = await Promise.all(buyers.map((b) => balanceOf(b.walletId)));
      // 5000 - 1000 paid - 300 debited; a refunded buyer gets the 1000 back.
      expect(balances).toEqual([5000, 5000, 3700, 4700, 5000, 5000, 3700, 4700]);
      // Two holds of 2 left active, two orders of 2 paid; cancelled and refunded units are back.
      expect(await stockInDb(t, product.id)).toEqual({
        total_stock: 30,
        available_stock: 22,
        reserved_stock: 4,
        sold_stock: 4,
      });
      const body = await report();
      expect(body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
      expect(body.ok).toBe(true);
      expect(body.checks.map((c: { name: string }) => c.name)).toEqual([
        'wallet_balance_equals_ledger',
        'product_stock_splits',
        'product_reserved_equals_active_holds_and_pending_orders',
        'product_sold_equals_paid_orders',
        'no_hold_made_two_orders',
        'no_order_charged_twice',
        'no_order_refunded_beyond_its_payment',
        'surplus_payments_returned_once',
        'every_transfer_moved_one_amount',
        'wallet_held_equals_pending_authorizations',
        'authorization_captured_within_amount',
        'authorization_captured_only_once_and_only_when_captured',
        'paid_orders_have_a_payment',
      ]);
    });

    it('names the wallet whose balance was corrupted and the product whose counters were', async () => {
      const { walletId } = await customerWithWallet(t, 1000);
      const product = await createProduct(t, 4);
      await db.query('UPDATE wallets SET balance = balance + 1 WHERE id = $1', [walletId]);
      await db.query(
        'UPDATE products SET available_stock = available_stock - 1, reserved_stock = reserved_stock + 1 WHERE id = $1',
        [product.id],
      );
      try {
        const body = await report();
        expect(body.ok).toBe(false);
        const check = (name: string) => body.checks.find((c: { name: string }) => c.name === name);
        expect(check('wallet_balance_equals_ledger').ok).toBe(false);
        expect(check('wallet_balance_equals_ledger').details).toContainEqual({
          wallet_id: walletId,
          balance: 1001,
          ledger_sum: 1000,
        });
        expect(check('product_reserved_equals_active_holds_and_pending_orders').ok).toBe(false);
        expect(check('product_reserved_equals_active_holds_and_pending_orders').details).toContainEqual({
          product_id: product.id,
          reserved_stock: 1,
          active_hold_units: 0,
          pending_order_units: 0,
        });
        expect(check('no_order_charged_twice').ok).toBe(true);
      } finally {
        await db.query('UPDATE wallets SET balance = balance - 1 WHERE id = $1', [walletId]);
        await db.query(
          'UPDATE products SET available_stock = available_stock + 1, reserved_stock = reserved_stock - 1 WHERE id = $1',
          [product.id],
        );
      }
    });

    it('is ok after a concurrent mixed run of pays, partial refunds, transfers and settlements', async () => {
      const product = await createProduct(t, 40, { price: 600 });
      const buyers = await Promise.all(Array.from({ length: 8 }, () => customerWithWallet(t, 5000)));
      const owed = await pendingOrder(t, { balance: 0, price: 800, quantity: 1 });
      await t.http().post(`/api/orders/${owed.orderId}/cancel`).set(bearer(owed.customer.key)).expect(200);
      await sendWebhook(t, succeeded({ order_id: owed.orderId, amount: 800 })).expect(200);
      const [{ id: owedPayment }] = await db.query('SELECT id FROM payments WHERE order_id = $1', [
        owed.orderId,
      ]);

      const statuses = await Promise.all([
        ...buyers.map(async (buyer, i) => {
          const next = buyers[(i + 1) % buyers.length];
          const hold = await placeHold(t, buyer.customer.key, product.id, 2).expect(201);
          const order = await createOrder(t, buyer.customer.key, hold.body.id).expect(201);
          const [paid, sent] = await Promise.all([
            pay(t, buyer.customer.key, order.body.id, buyer.walletId),
            t
              .http()
              .post('/api/transfers')
              .set(bearer(buyer.customer.key))
              .set('Idempotency-Key', randomUUID())
              .send({ from_wallet_id: buyer.walletId, to_wallet_id: next.walletId, amount: 700 + i }),
          ]);
          const refunds = await Promise.all(
            [500, 400, 300].map((amount) => refund(order.body.id, randomUUID(), { amount })),
          );
          return [paid.status, sent.status, ...refunds.map((r) => r.status)];
        }),
        t
          .http()
          .post(`/api/admin/payments/${owedPayment}/resolve`)
          .set(bearer(ADMIN_KEY()))
          .set('Idempotency-Key', randomUUID())
          .send({ wallet_id: owed.walletId })
          .then((r) => [r.status]),
      ]);
      // Each order of 1200 is paid, then refunded 500 + 400 + 300 in full; every transfer goes through.
      expect(statuses).toEqual([...Array(8).fill([200, 201, 200, 200, 200]), [200]]);
      const body = await report();
      expect(body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
      expect(body.ok).toBe(true);
      expect(await balanceOf(owed.walletId)).toBe(800);
      expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 40, sold_stock: 0 });
    });

    it('names the order refunded beyond its payment and the transfer whose entries do not match', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 3 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      await refund(f.orderId, randomUUID(), { amount: 1000 }).expect(200);
      const other = await customerWithWallet(t, 0);
      const sent = await t
        .http()
        .post('/api/transfers')
        .set(bearer(f.customer.key))
        .set('Idempotency-Key', randomUUID())
        .send({ from_wallet_id: f.walletId, to_wallet_id: other.walletId, amount: 300 })
        .expect(201);
      expect((await report()).ok).toBe(true);

      await db.query('UPDATE refunds SET amount = amount + 2500 WHERE order_id = $1', [f.orderId]);
      await db.query('UPDATE transfers SET amount = amount + 1 WHERE id = $1', [sent.body.id]);
      try {
        const body = await report();
        expect(body.ok).toBe(false);
        const check = (name: string) => body.checks.find((c: { name: string }) => c.name === name);
        expect(check('no_order_refunded_beyond_its_payment')).toEqual({
          name: 'no_order_refunded_beyond_its_payment',
          ok: false,
          details: [
            {
              order_id: f.orderId,
              paid: 3000,
              refunded_amount: 1000,
              refunds: 3500,
              ledger_refund_credits: 1000,
            },
          ],
        });
        expect(check('every_transfer_moved_one_amount')).toEqual({
          name: 'every_transfer_moved_one_amount',
          ok: false,
          details: [
            {
              transfer_id: sent.body.id,
              amount: 301,
              debit_amount: 300,
              credit_amount: 300,
              ledger_entries: 2,
            },
          ],
        });
        expect(check('wallet_balance_equals_ledger').ok).toBe(true);
      } finally {
        await db.query('UPDATE refunds SET amount = amount - 2500 WHERE order_id = $1', [f.orderId]);
        await db.query('UPDATE transfers SET amount = amount - 1 WHERE id = $1', [sent.body.id]);
      }
      expect((await report()).ok).toBe(true);
    });

    it('names the surplus payment of a paid order returned beyond its amount, and one refunded with nothing returned', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 2 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
      await sendWebhook(t, succeeded({ order_id: f.orderId, amount: f.amount })).expect(200);
      const [settled, owed] = await db.query(
        `SELECT id FROM payments WHERE order_id = $1 AND method = 'external' ORDER BY created_at`,
        [f.orderId],
      );
      await t
        .http()
        .post(`/api/admin/payments/${settled.id}/resolve`)
        .set(bearer(ADMIN_KEY()))
        .set('Idempotency-Key', randomUUID())
        .send({ wallet_id: f.walletId })
        .expect(200);
      type Check = { name: string; ok: boolean; details: unknown[] };
      const check = (body: { checks: Check[] }, name: string) => body.checks.find((c) => c.name === name);
      expect(check(await report(), 'surplus_payments_returned_once')).toEqual({
        name: 'surplus_payments_returned_once',
        ok: true,
        details: [],
      });

      await db.query('UPDATE refunds SET amount = amount + 1 WHERE payment_id = $1', [settled.id]);
      await db.query(`UPDATE payments SET status = 'refunded' WHERE id = $1`, [owed.id]);
      try {
        const body = await report();
        expect(body.ok).toBe(false);
        expect(check(body, 'surplus_payments_returned_once')).toEqual({
          name: 'surplus_payments_returned_once',
          ok: false,
          details: expect.arrayContaining([
            { payment_id: settled.id, order_id: f.orderId, status: 'refunded', amount: 2000, returned: 2001 },
            { payment_id: owed.id, order_id: f.orderId, status: 'refunded', amount: 2000, returned: 0 },
          ]),
        });
        expect(check(body, 'surplus_payments_returned_once')?.details).toHaveLength(2);
        expect(check(body, 'no_order_refunded_beyond_its_payment')).toMatchObject({ ok: true });
      } finally {
        await db.query('UPDATE refunds SET amount = amount - 1 WHERE payment_id = $1', [settled.id]);
        await db.query(`UPDATE payments SET status = 'refund_required' WHERE id = $1`, [owed.id]);
      }
      expect((await report()).ok).toBe(true);
    });

    it('is admin only', async () => {
      const { key } = await createCustomer(t);
      await t.http().get('/api/admin/reconciliation').set(bearer(key)).expect(403);
    });
  });
});
