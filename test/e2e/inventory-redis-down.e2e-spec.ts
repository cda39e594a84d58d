import { closedPort } from '../support/closed-port';
import { createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { createOrder, createProduct, placeHold, stockInDb } from '../support/inventory-fixtures';
import { metric } from '../support/metrics';

describe('products, holds, orders and the rate limit with Redis down (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      config: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, RATE_LIMIT_PER_MINUTE: 2 },
    });
  });
  // Bull closes a queue by disconnecting its clients and rejects the close when one of them reports
  // an error meanwhile, which a client still trying to reach the absent Redis does now and then.
  afterAll(() =>
    t.close().catch((error: Error) => {
      if (!/ECONNREFUSED|Connection is closed/.test(error.message)) throw error;
    }),
  );

  it('GET /api/products/:id answers from PostgreSQL and reflects every change', async () => {
    const product = await createProduct(t, 8);
    const first = await t.http().get(`/api/products/${product.id}`).expect(200);
    expect(first.body).toEqual(product);

    const alice = await createCustomer(t, 'Alice');
    const hold = (await placeHold(t, alice.key, product.id, 3).expect(201)).body;
    const read = await t.http().get(`/api/products/${product.id}`).expect(200);
    expect(read.body).toMatchObject({ available_stock: 5, reserved_stock: 3 });

    const order = await createOrder(t, alice.key, hold.id).expect(201);
    await t
      .http()
      .post(`/api/orders/${order.body.id}/cancel`)
      .set('Authorization', `Bearer ${alice.key}`)
      .expect(200);
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 8,
      available_stock: 8,
      reserved_stock: 0,
      sold_stock: 0,
    });
  });

  it('lets requests through past the limit, uncounted, and counts them as unenforced', async () => {
    const before = await metric(t, 'rate_limit_unenforced_total');
    for (let i = 0; i < 4; i++) {
      const res = await t.http().get('/api/products').expect(200);
      expect(res.headers['ratelimit']).toBeUndefined();
    }
    // The four, and the read of /metrics that reports them (it is limited like any route).
    expect((await metric(t, 'rate_limit_unenforced_total')) - before).toBe(5);
  });
});

describe('an app that starts and stops with Redis down (e2e)', () => {
  // Closed before its queues' Redis clients ever connected, Bull rejects the promise of each
  // queue's process() with a client's bare connection error. Jest fails the running test on an
  // unhandled rejection, so this fails if any processor leaves that promise unhandled, as
  // @nestjs/bull's @Process does; a full run on a loaded machine once failed the tests above so.
  it('closes at once after starting, with no Redis error left unhandled', async () => {
    const app = await createTestApp({ config: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` } });
    await app.close();
  });
});
