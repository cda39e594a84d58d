import { randomUUID } from 'crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { OrderCreationHooks } from '../../src/modules/order/application/order-creation-hooks';
import { OrderLifecycleFacade } from '../../src/modules/order/application/order-lifecycle.facade';
import { ExpireOrdersService } from '../../src/modules/order/application/expire-orders.service';
import { ExpireHoldsService } from '../../src/modules/inventory/application/expire-holds.service';
import type { Order } from '../../src/modules/order/domain/order';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { createOrder, createProduct, getProduct, placeHold, stockInDb } from '../support/inventory-fixtures';
import { metrics } from '../support/metrics';

const PROBLEM = /^application\/problem\+json/;

describe('orders (e2e)', () => {
  let t: TestApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };

  beforeAll(async () => {
    t = await createTestApp();
    alice = await createCustomer(t, 'Alice');
    bob = await createCustomer(t, 'Bob');
  });
  afterAll(() => t.close());

  async function holdOf(key: string, stock: number, quantity: number, price = 1999) {
    const product = await createProduct(t, stock, { price });
    const hold = (await placeHold(t, key, product.id, quantity).expect(201)).body;
    return { product, hold };
  }

  /**
   * A provider's payment of the order, as the payment module records it (the order only names it):
   * its id. `refund_required` is money that arrived for an order already cancelled.
   */
  async function recordExternalPayment(
    em: EntityManager,
    orderId: string,
    status: 'succeeded' | 'refund_required' = 'succeeded',
  ): Promise<string> {
    const id = randomUUID();
    await em.query(
      `INSERT INTO payments (id, order_id, method, status, pays_order, amount, currency, external_payment_id)
       SELECT $1, id, 'external', $2, $3, amount, currency, $4 FROM orders WHERE id = $5`,
      [id, status, status === 'succeeded', `pay_${id}`, orderId],
    );
    return id;
  }

  /** Pays the order by `paymentId`, or by a provider's payment recorded now. */
  const pay = (orderId: string, paymentId?: string) =>
    t.app.get(UnitOfWork).run(async (em) => {
      const lifecycle = t.app.get(OrderLifecycleFacade);
      const order = await lifecycle.lockOrder(em, orderId);
      return lifecycle.markPaid(em, order, paymentId ?? (await recordExternalPayment(em, orderId)));
    });

  it('an order from a hold has the documented fields; the hold is consumed and its units stay reserved', async () => {
    const { product, hold } = await holdOf(alice.key, 10, 3, 2500);
    const res = await createOrder(t, alice.key, hold.id).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      account_id: alice.id,
      hold_id: hold.id,
      product_id: product.id,
      quantity: 3,
      unit_price: 2500,
      amount: 7500,
      currency: 'USD',
      status: 'pending_payment',
      refunded_amount: 0,
      payment_due_at: expect.stringMatching(/Z$/),
      payment: null,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(Date.parse(res.body.payment_due_at) - Date.parse(res.body.created_at)).toBe(
      t.config.ORDER_PAYMENT_TTL_SECONDS * 1000,
    );
    const held = await t.http().get(`/api/holds/${hold.id}`).set('Authorization', `Bearer ${alice.key}`);
    expect(held.body.status).toBe('consumed');
    expect(await getProduct(t, product.id)).toMatchObject({
      available_stock: 7,
      reserved_stock: 3,
      sold_stock: 0,
    });

    const read = await t.http().get(`/api/orders/${res.body.id}`).set('Authorization', `Bearer ${alice.key}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    const byAdmin = await t
      .http()
      .get(`/api/orders/${res.body.id}`)
      .set('Authorization', `Bearer ${ADMIN_KEY()}`);
    expect(byAdmin.body).toEqual(res.body);
  });

  it('10 concurrent orders from one hold: exactly one 201, nine 409 hold_not_active', async () => {
    const { product, hold } = await holdOf(alice.key, 5, 2);
    const results = await Promise.all(Array.from({ length: 10 }, () => createOrder(t, alice.key, hold.id)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(9);
    expect(refused.every((r) => r.status === 409 && r.body.code === 'hold_not_active')).toBe(true);
    const [{ count }] = await t.app
      .get(DataSource)
      .query('SELECT count(*) FROM orders WHERE hold_id = $1', [hold.id]);
    expect(Number(count)).toBe(1);
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 5,
      available_stock: 3,
      reserved_stock: 2,
      sold_stock: 0,
    });
  });

  it('409 hold_not_active from a released hold; releasing a consumed hold is 409 too', async () => {
    const released = await holdOf(alice.key, 5, 1);
    await t
      .http()
      .delete(`/api/holds/${released.hold.id}`)
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(200);
    const res = await createOrder(t, alice.key, released.hold.id).expect(409);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('hold_not_active');

    const consumed = await holdOf(alice.key, 5, 1);
    await createOrder(t, alice.key, consumed.hold.id).expect(201);
    const release = await t
      .http()
      .delete(`/api/holds/${consumed.hold.id}`)
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(409);
    expect(release.body.code).toBe('hold_not_active');
    expect(await stockInDb(t, consumed.product.id)).toMatchObject({ available_stock: 4, reserved_stock: 1 });
  });

  it("404 for another account's hold, for an unknown hold, and for another account's order", async () => {
    const { hold } = await holdOf(alice.key, 5, 1);
    expect((await createOrder(t, bob.key, hold.id).expect(404)).body.code).toBe('not_found');
    await createOrder(t, alice.key, randomUUID()).expect(404);
    const order = (await createOrder(t, alice.key, hold.id).expect(201)).body;
    await t.http().get(`/api/orders/${order.id}`).set('Authorization', `Bearer ${bob.key}`).expect(404);
    await t
      .http()
      .post(`/api/orders/${order.id}/cancel`)
      .set('Authorization', `Bearer ${bob.key}`)
      .expect(404);
    await t.http().get(`/api/orders/${randomUUID()}`).set('Authorization', `Bearer ${alice.key}`).expect(404);
  });

  it('400 for bad input: non-UUID hold_id, missing hold_id, unknown fields, non-UUID order id', async () => {
    for (const body of [{ hold_id: 'nope' }, {}, { hold_id: randomUUID(), quantity: 1 }]) {
      const res = await t
        .http()
        .post('/api/orders')
        .set('Authorization', `Bearer ${alice.key}`)
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const bad = await t
      .http()
      .get('/api/orders/nope')
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(400);
    expect(bad.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    await t.http().post('/api/orders/nope/cancel').set('Authorization', `Bearer ${alice.key}`).expect(400);
    await t.http().post('/api/orders').send({ hold_id: randomUUID() }).expect(401);
  });

  it('cancelling returns the units once; cancelling again returns the order unchanged; the admin may cancel', async () => {
    const { product, hold } = await holdOf(alice.key, 6, 4);
    const order = (await createOrder(t, alice.key, hold.id).expect(201)).body;
    const cancelled = await t
      .http()
      .post(`/api/orders/${order.id}/cancel`)
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(200);
    expect(cancelled.body).toEqual({ ...order, status: 'cancelled', updated_at: expect.any(String) });
    const again = await t
      .http()
      .post(`/api/orders/${order.id}/cancel`)
      .set('Authorization', `Bearer ${ADMIN_KEY()}`)
      .expect(200);
    expect(again.body).toEqual(cancelled.body);
    expect(await getProduct(t, product.id)).toMatchObject({
      total_stock: 6,
      available_stock: 6,
      reserved_stock: 0,
      sold_stock: 0,
    });

    const other = await holdOf(bob.key, 2, 2);
    const bobs = (await createOrder(t, bob.key, other.hold.id).expect(201)).body;
    await t
      .http()
      .post(`/api/orders/${bobs.id}/cancel`)
      .set('Authorization', `Bearer ${ADMIN_KEY()}`)
      .expect(200);
    expect(await stockInDb(t, other.product.id)).toMatchObject({ available_stock: 2, reserved_stock: 0 });
  });

  it('markPaid moves units reserved -> sold; a paid order is not cancellable (409); markRefunded returns them', async () => {
    const { product, hold } = await holdOf(alice.key, 5, 2, 1000);
    const order = (await createOrder(t, alice.key, hold.id).expect(201)).body;
    const paid = await pay(order.id);
    expect(paid.status).toBe('paid');
    const read = await t.http().get(`/api/orders/${order.id}`).set('Authorization', `Bearer ${alice.key}`);
    expect(read.body).toMatchObject({
      status: 'paid',
      payment: {
        id: paid.paymentId,
        method: 'external',
        status: 'succeeded',
        wallet_transaction_id: null,
        amount: 2000,
      },
    });
    expect(await getProduct(t, product.id)).toMatchObject({
      available_stock: 3,
      reserved_stock: 0,
      sold_stock: 2,
    });

    const refused = await t
      .http()
      .post(`/api/orders/${order.id}/cancel`)
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(409);
    expect(refused.body.code).toBe('order_not_cancellable');
    await expect(pay(order.id, paid.paymentId as string)).rejects.toMatchObject({
      code: 'order_not_payable',
    });

    const uow = t.app.get(UnitOfWork);
    const lifecycle = t.app.get(OrderLifecycleFacade);
    const refunded = await uow.run(async (em) => {
      const { order: locked, plan } = await lifecycle.lockForRefund(em, order.id);
      return lifecycle.recordRefund(em, locked, plan);
    });
    expect(refunded).toMatchObject({ status: 'refunded', refundedAmount: 2000n });
    expect(await getProduct(t, product.id)).toMatchObject({
      available_stock: 5,
      reserved_stock: 0,
      sold_stock: 0,
    });
    await expect(uow.run((em) => lifecycle.lockForRefund(em, order.id))).rejects.toMatchObject({
      code: 'order_not_refundable',
    });
    expect(await stockInDb(t, product.id)).toMatchObject({
      available_stock: 5,
      reserved_stock: 0,
      sold_stock: 0,
    });
    await t
      .http()
      .post(`/api/orders/${order.id}/cancel`)
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(409);
  });

  it('a payment recorded on a cancelled order leaves it cancelled; findOrderByHoldId finds the order', async () => {
    const { hold } = await holdOf(alice.key, 5, 1);
    const order = (await createOrder(t, alice.key, hold.id).expect(201)).body;
    await t
      .http()
      .post(`/api/orders/${order.id}/cancel`)
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(200);
    const uow = t.app.get(UnitOfWork);
    const lifecycle = t.app.get(OrderLifecycleFacade);
    const paymentId = await uow.run(async (em) => {
      const locked = await lifecycle.lockOrder(em, order.id);
      const id = await recordExternalPayment(em, order.id, 'refund_required');
      await lifecycle.recordPayment(em, locked, id);
      return id;
    });
    const read = await t.http().get(`/api/orders/${order.id}`).set('Authorization', `Bearer ${alice.key}`);
    expect(read.body).toMatchObject({
      status: 'cancelled',
      payment: {
        id: paymentId,
        method: 'external',
        status: 'refund_required',
        wallet_transaction_id: null,
        amount: 1999,
      },
    });
    const found = await uow.run((em) => lifecycle.findOrderByHoldId(em, hold.id));
    expect(found?.id).toBe(order.id);
    expect(await uow.run((em) => lifecycle.findOrderByHoldId(em, randomUUID()))).toBeNull();
  });

  it('order-created listeners run inside the creating transaction and can move the order on', async () => {
    const seen: Array<{ order: Order; visible: number }> = [];
    let paymentId: string | undefined;
    const lifecycle = t.app.get(OrderLifecycleFacade);
    const unregister = t.app.get(OrderCreationHooks).register({
      onOrderCreated: async (em: EntityManager, order: Order) => {
        const [{ count }] = await em.query('SELECT count(*) FROM orders WHERE id = $1', [order.id]);
        seen.push({ order, visible: Number(count) });
        paymentId = await recordExternalPayment(em, order.id);
        await lifecycle.markPaid(em, order, paymentId);
      },
    });
    const { product, hold } = await holdOf(alice.key, 4, 3, 100);
    let res;
    try {
      res = await createOrder(t, alice.key, hold.id).expect(201);
    } finally {
      unregister();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0].visible).toBe(1);
    expect(res.body).toMatchObject({
      status: 'paid',
      payment: { id: paymentId, method: 'external', amount: 300 },
    });
    expect(await getProduct(t, product.id)).toMatchObject({
      available_stock: 1,
      reserved_stock: 0,
      sold_stock: 3,
    });
    // Taken off again, it moves no later order.
    const later = await holdOf(alice.key, 4, 3, 100);
    expect((await createOrder(t, alice.key, later.hold.id).expect(201)).body.status).toBe('pending_payment');
    expect(seen).toHaveLength(1);
  });

  it('documents every endpoint with its error statuses in Swagger', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const ops = {
      post_products: doc.paths['/api/products'].post,
      get_product: doc.paths['/api/products/{id}'].get,
      post_holds: doc.paths['/api/holds'].post,
      delete_hold: doc.paths['/api/holds/{id}'].delete,
      post_orders: doc.paths['/api/orders'].post,
      cancel_order: doc.paths['/api/orders/{id}/cancel'].post,
    };
    expect(Object.keys(ops.post_holds.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '404', '409']),
    );
    expect(Object.keys(ops.post_orders.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '404', '409', '410']),
    );
    expect(Object.keys(ops.cancel_order.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(Object.keys(ops.post_products.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403']),
    );
    expect(ops.get_product.security ?? []).toEqual([]);
    expect(ops.delete_hold.summary).toEqual(expect.any(String));
  });

  it('counts holds, refusals, expiries, orders, cancellations and product lock waits in /metrics', async () => {
    const names = [
      'inventory_holds_created_total',
      'inventory_holds_refused_insufficient_stock_total',
      'inventory_holds_expired_total',
      'inventory_product_lock_wait_seconds_count',
      'orders_created_total',
      'orders_cancelled_total',
      'orders_expired_total',
    ];
    const before = await metrics(t, names);
    const db = t.app.get(DataSource);
    const product = await createProduct(t, 3);
    const holds = [];
    for (let i = 0; i < 3; i++) holds.push((await placeHold(t, alice.key, product.id, 1).expect(201)).body);
    expect((await placeHold(t, alice.key, product.id, 1).expect(409)).body.code).toBe('insufficient_stock');

    // A second before the app's clock reads: overdue.
    const past = new Date(t.clock.now() - 1000);
    await db.query(`UPDATE holds SET expires_at = $2 WHERE id = $1`, [holds[0].id, past]);
    expect(await t.app.get(ExpireHoldsService).expireOne(holds[0].id)).toBe(true);
    const cancelled = (await createOrder(t, alice.key, holds[1].id).expect(201)).body;
    await t
      .http()
      .post(`/api/orders/${cancelled.id}/cancel`)
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(200);
    const overdue = (await createOrder(t, alice.key, holds[2].id).expect(201)).body;
    await db.query(`UPDATE orders SET payment_due_at = $2 WHERE id = $1`, [overdue.id, past]);
    expect(await t.app.get(ExpireOrdersService).expireOne(overdue.id)).toBe(true);

    const after = await metrics(t, names);
    const delta = Object.fromEntries(names.map((name) => [name, after[name] - before[name]]));
    expect(delta).toEqual({
      inventory_holds_created_total: 3,
      inventory_holds_refused_insufficient_stock_total: 1,
      inventory_holds_expired_total: 1,
      inventory_product_lock_wait_seconds_count: expect.any(Number),
      orders_created_total: 2,
      orders_cancelled_total: 1,
      orders_expired_total: 1,
    });
    // Every hold and every order waited for its product row once at least.
    expect(delta.inventory_product_lock_wait_seconds_count).toBeGreaterThanOrEqual(1);
  });
});
