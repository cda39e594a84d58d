import { createOrder, createProduct, getProduct, placeHold, stockInDb } from '../support/inventory-fixtures';
import { pay, refund } from '../support/payment-fixtures';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

const PROBLEM = /^application\/problem\+json/;

describe('purchase limits (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('max_per_account is shown on the product, null when none; out-of-range values are 400', async () => {
    const limited = await createProduct(t, 100, { max_per_account: 2 });
    expect(limited.max_per_account).toBe(2);
    expect((await getProduct(t, limited.id)).max_per_account).toBe(2);
    const open = await createProduct(t, 100);
    expect(open.max_per_account).toBeNull();
    expect((await createProduct(t, 100, { max_per_account: null })).max_per_account).toBeNull();
    expect((await createProduct(t, 100, { max_per_account: 1000 })).max_per_account).toBe(1000);
    for (const max_per_account of [0, 1001, 1.5, '2', -1]) {
      const res = await t
        .http()
        .post('/api/products')
        .set(bearer(ADMIN_KEY()))
        .send({ name: 'Capped', price: 100, currency: 'USD', stock: 10, max_per_account })
        .expect(400);
      expect(res.body.errors.length).toBeGreaterThan(0);
      for (const error of res.body.errors) expect(error.field).toBe('max_per_account');
    }
  });

  it('10 concurrent holds of 1 by one account with a limit of 2: exactly 2 succeed, 8 get 409 limit_exceeded', async () => {
    const product = await createProduct(t, 1000, { max_per_account: 2 });
    const greedy = await createCustomer(t, 'Greedy');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => placeHold(t, greedy.key, product.id, 1)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, ...Array(8).fill(409)]);
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.headers['content-type']).toMatch(PROBLEM);
      expect(r.body.code).toBe('limit_exceeded');
    }
    // The limit is per account: another customer still gets its two.
    const other = await createCustomer(t, 'Other');
    await placeHold(t, other.key, product.id, 2).expect(201);
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 1000,
      available_stock: 996,
      reserved_stock: 4,
      sold_stock: 0,
    });
  });

  it('a single hold larger than the limit is refused even with stock to spare', async () => {
    const product = await createProduct(t, 1000, { max_per_account: 3 });
    const buyer = await createCustomer(t, 'Bulk buyer');
    const res = await placeHold(t, buyer.key, product.id, 4).expect(409);
    expect(res.body.code).toBe('limit_exceeded');
    await placeHold(t, buyer.key, product.id, 3).expect(201);
  });

  it('counts active holds, pending and paid orders; released holds and refunded orders free the units', async () => {
    const product = await createProduct(t, 100, { price: 500, max_per_account: 3 });
    const buyer = await customerWithWallet(t, 10000);
    const key = buyer.customer.key;

    const paidHold = await placeHold(t, key, product.id, 1).expect(201);
    const paidOrder = await createOrder(t, key, paidHold.body.id).expect(201);
    await pay(t, key, paidOrder.body.id, buyer.walletId).expect(200);
    const pendingHold = await placeHold(t, key, product.id, 1).expect(201);
    await createOrder(t, key, pendingHold.body.id).expect(201);
    const activeHold = await placeHold(t, key, product.id, 1).expect(201);
    // 1 paid + 1 pending + 1 held = 3
    expect((await placeHold(t, key, product.id, 1).expect(409)).body.code).toBe('limit_exceeded');

    await t.http().delete(`/api/holds/${activeHold.body.id}`).set(bearer(key)).expect(200);
    await placeHold(t, key, product.id, 1).expect(201);
    expect((await placeHold(t, key, product.id, 1).expect(409)).body.code).toBe('limit_exceeded');

    await refund(t, paidOrder.body.id).expect(200);
    await placeHold(t, key, product.id, 1).expect(201);
    expect((await placeHold(t, key, product.id, 1).expect(409)).body.code).toBe('limit_exceeded');
  });

  it('a partially refunded order still counts: its units stay sold', async () => {
    const product = await createProduct(t, 100, { price: 500, max_per_account: 2 });
    const buyer = await customerWithWallet(t, 10000);
    const key = buyer.customer.key;
    const hold = await placeHold(t, key, product.id, 2).expect(201);
    const order = await createOrder(t, key, hold.body.id).expect(201);
    await pay(t, key, order.body.id, buyer.walletId).expect(200);
    await refund(t, order.body.id, { amount: 100 }).expect(200);
    expect((await placeHold(t, key, product.id, 1).expect(409)).body.code).toBe('limit_exceeded');
  });

  it('a product without a limit takes any number of holds from one account', async () => {
    const product = await createProduct(t, 1000);
    const buyer = await createCustomer(t, 'Unlimited');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => placeHold(t, buyer.key, product.id, 100)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(201));
  });
});
