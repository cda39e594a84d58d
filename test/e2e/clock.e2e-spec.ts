import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { ExpireHoldsService } from '../../src/modules/inventory/application/expire-holds.service';
import { ExpireOrdersService } from '../../src/modules/order/application/expire-orders.service';
import { createOrder, createProduct, stockInDb } from '../support/inventory-fixtures';
import { pay } from '../support/payment-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

const HOLD_TTL_SECONDS = 600;
const ORDER_PAYMENT_TTL_SECONDS = 900;
const IDEMPOTENCY_TTL_SECONDS = 3600;

/**
 * Deadlines follow the app's clock (CLOCK), nothing else: the test moves it to a millisecond before
 * a deadline and to the deadline, and runs what a worker's sweeper runs. Nothing is waited for and
 * no row is edited in the database; the sweepers are off, so nothing expires behind the test's back.
 */
describe('deadlines by the clock (e2e)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp({
      config: { HOLD_TTL_SECONDS, ORDER_PAYMENT_TTL_SECONDS, IDEMPOTENCY_TTL_SECONDS },
    });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const statusOf = async (table: 'holds' | 'orders', id: string): Promise<string> =>
    (await db.query(`SELECT status FROM ${table} WHERE id = $1`, [id]))[0].status;
  const placeHold = (key: string, productId: string, quantity: number, idempotencyKey = randomUUID()) =>
    t
      .http()
      .post('/api/holds')
      .set(bearer(key))
      .set('Idempotency-Key', idempotencyKey)
      .send({ product_id: productId, quantity });
  const balanceOf = async (walletId: string): Promise<number> =>
    Number((await db.query('SELECT balance FROM wallets WHERE id = $1', [walletId]))[0].balance);

  it('a hold expires at its deadline by the clock: expired when read, no order from it, its units back', async () => {
    const { customer } = await customerWithWallet(t, 0);
    const product = await createProduct(t, 5);
    const hold = (await placeHold(customer.key, product.id, 3).expect(201)).body;
    expect(Date.parse(hold.expires_at)).toBe(t.clock.now() + HOLD_TTL_SECONDS * 1000);
    const read = () => t.http().get(`/api/holds/${hold.id}`).set(bearer(customer.key)).expect(200);

    t.clock.advance(HOLD_TTL_SECONDS * 1000 - 1);
    expect((await read()).body.status).toBe('active');
    expect(await t.app.get(ExpireHoldsService).sweep()).toBe(0);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 2, reserved_stock: 3 });

    t.clock.advance(1);
    // Past its deadline before any sweep: shown expired, refused for an order, units still reserved.
    expect((await read()).body.status).toBe('expired');
    const order = await createOrder(t, customer.key, hold.id);
    expect([order.status, order.body.code]).toEqual([410, 'hold_expired']);
    expect(await statusOf('holds', hold.id)).toBe('active');

    expect(await t.app.get(ExpireHoldsService).sweep()).toBe(1);
    expect(await statusOf('holds', hold.id)).toBe('expired');
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 5,
      available_stock: 5,
      reserved_stock: 0,
      sold_stock: 0,
    });
    expect(await t.app.get(ExpireHoldsService).sweep()).toBe(0);
  });

  it('an unpaid order expires at payment_due_at by the clock: not payable, cancelled, its units back, no money moved', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const product = await createProduct(t, 4, { price: 1000 });
    const hold = (await placeHold(customer.key, product.id, 4).expect(201)).body;
    const order = (await createOrder(t, customer.key, hold.id).expect(201)).body;
    expect(Date.parse(order.payment_due_at)).toBe(t.clock.now() + ORDER_PAYMENT_TTL_SECONDS * 1000);

    t.clock.advance(ORDER_PAYMENT_TTL_SECONDS * 1000 - 1);
    expect(await t.app.get(ExpireOrdersService).sweep()).toBe(0);
    expect(await statusOf('orders', order.id)).toBe('pending_payment');

    t.clock.advance(1);
    const late = await pay(t, customer.key, order.id, walletId);
    expect([late.status, late.body.code]).toEqual([409, 'order_not_payable']);
    expect(await t.app.get(ExpireOrdersService).sweep()).toBe(1);
    const read = await t.http().get(`/api/orders/${order.id}`).set(bearer(customer.key)).expect(200);
    expect(read.body.status).toBe('cancelled');
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 4,
      available_stock: 4,
      reserved_stock: 0,
      sold_stock: 0,
    });
    expect(await balanceOf(walletId)).toBe(10_000);
  });

  it('an idempotency key replays until its TTL has passed by the clock, then makes a new effect', async () => {
    const { customer } = await customerWithWallet(t, 0);
    const product = await createProduct(t, 10);
    const key = randomUUID();
    const first = (await placeHold(customer.key, product.id, 2, key).expect(201)).body;

    t.clock.advance(IDEMPOTENCY_TTL_SECONDS * 1000 - 1);
    // Still the first answer.
    const replay = await placeHold(customer.key, product.id, 2, key).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first);
    const otherBody = await placeHold(customer.key, product.id, 3, key);
    expect([otherBody.status, otherBody.body.code]).toEqual([422, 'idempotency_key_reused']);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 8, reserved_stock: 2 });

    t.clock.advance(1);
    // The key is free again, the replay cache included: the same request is a new hold.
    const again = await placeHold(customer.key, product.id, 2, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.id);
    // The first hold is long past its own deadline (HOLD_TTL_SECONDS < IDEMPOTENCY_TTL_SECONDS).
    expect(await t.app.get(ExpireHoldsService).sweep()).toBe(1);
    expect(await statusOf('holds', first.id)).toBe('expired');
    expect(await statusOf('holds', again.body.id)).toBe('active');
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 8, reserved_stock: 2 });
    expect(
      (await db.query('SELECT count(*)::int AS n FROM holds WHERE product_id = $1', [product.id]))[0].n,
    ).toBe(2);
  });
});
