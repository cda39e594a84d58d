import { DataSource } from 'typeorm';
import { locker } from '../support/locks';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import {
  createProduct,
  getProduct,
  placeHold,
  type ProductBody,
  stockInDb,
} from '../support/inventory-fixtures';

const PROBLEM = /^application\/problem\+json/;
const UNKNOWN_ID = '6f1c9a0e-8f7b-4a44-9a57-0c1a2f1f9f00';

describe('products and holds (e2e)', () => {
  let t: TestApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };

  beforeAll(async () => {
    t = await createTestApp();
    alice = await createCustomer(t, 'Alice');
    bob = await createCustomer(t, 'Bob');
  });
  afterAll(() => t.close());

  describe('products', () => {
    it('the admin creates a product; anyone reads it with the documented fields', async () => {
      const created = await createProduct(t, 300, { name: 'Sneakers', price: 4999, currency: 'EUR' });
      const expected = {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Sneakers',
        price: 4999,
        currency: 'EUR',
        total_stock: 300,
        available_stock: 300,
        reserved_stock: 0,
        sold_stock: 0,
        max_per_account: null,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      };
      expect(created).toEqual(expected);
      const read = await t.http().get(`/api/products/${created.id}`).expect(200);
      expect(read.body).toEqual({ ...expected, id: created.id });
    });

    it('lists products newest first, cursor-paginated', async () => {
      const made: ProductBody[] = [];
      for (let i = 0; i < 3; i++) {
        // Newer by the app's clock, which stands still unless moved.
        t.clock.advance(1);
        made.push(await createProduct(t, i, { name: `Listed ${i}` }));
      }
      const page = async (cursor?: string | null) =>
        (
          await t
            .http()
            .get('/api/products')
            .query({ limit: 2, ...(cursor ? { cursor } : {}) })
            .expect(200)
        ).body as { data: ProductBody[]; next_cursor: string | null };
      // The file's own database: the newest products are these three, whatever other files do.
      const first = await page();
      expect(first.data).toEqual([made[2], made[1]]);
      expect(first.next_cursor).toEqual(expect.any(String));
      const second = await page(first.next_cursor);
      expect(second.data[0]).toEqual(made[0]);

      // Walked to the end, the pages hold every product exactly once, in the database's order.
      const seen = [...first.data, ...second.data];
      let cursor = second.next_cursor;
      while (cursor) {
        const next = await page(cursor);
        expect(next.data.length).toBeGreaterThan(0);
        seen.push(...next.data);
        cursor = next.next_cursor;
      }
      const all: Array<{ id: string }> = await t.app
        .get(DataSource)
        .query('SELECT id FROM products ORDER BY created_at DESC, id DESC');
      expect(seen.map((p) => p.id)).toEqual(all.map((p) => p.id));
    });

    it('a customer cannot create products (403); no key is 401', async () => {
      const body = { name: 'x', price: 1, currency: 'USD', stock: 1 };
      await t.http().post('/api/products').set('Authorization', `Bearer ${alice.key}`).send(body).expect(403);
      await t.http().post('/api/products').send(body).expect(401);
    });

    it.each([
      ['name', { name: '' }],
      ['name', { name: 'x'.repeat(201) }],
      ['price', { price: 0 }],
      ['price', { price: -5 }],
      ['price', { price: 1.5 }],
      ['price', { price: 9007199254740992 }],
      ['price', { price: '1999' }],
      ['currency', { currency: 'usd' }],
      ['currency', { currency: 'USDX' }],
      ['stock', { stock: -1 }],
      ['stock', { stock: 1_000_001 }],
      ['stock', { stock: 2.5 }],
    ])('400 validation_failed for a bad %s (%j)', async (field, override) => {
      const res = await t
        .http()
        .post('/api/products')
        .set('Authorization', `Bearer ${ADMIN_KEY()}`)
        .send({ name: 'Bad', price: 100, currency: 'USD', stock: 1, ...override })
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('accepts the extremes: stock 0 and 1_000_000, price 9007199254740991', async () => {
      await createProduct(t, 0);
      await createProduct(t, 1_000_000, { price: 9007199254740991 });
    });

    it('400 for unknown fields, 400 for a non-UUID id, 404 for an unknown product', async () => {
      const unknownField = await t
        .http()
        .post('/api/products')
        .set('Authorization', `Bearer ${ADMIN_KEY()}`)
        .send({ name: 'x', price: 1, currency: 'USD', stock: 1, color: 'red' })
        .expect(400);
      expect(unknownField.body.code).toBe('validation_failed');
      const badId = await t.http().get('/api/products/not-a-uuid').expect(400);
      expect(badId.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'id' }] });
      const missing = await t.http().get(`/api/products/${UNKNOWN_ID}`).expect(404);
      expect(missing.body.code).toBe('not_found');
      await t.http().get('/api/products?limit=0').expect(400);
      await t.http().get('/api/products?cursor=garbage').expect(400);
    });
  });

  describe('holds', () => {
    it('a hold reserves units and shows the documented fields', async () => {
      const product = await createProduct(t, 5);
      const res = await placeHold(t, alice.key, product.id, 2).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        product_id: product.id,
        account_id: alice.id,
        quantity: 2,
        status: 'active',
        expires_at: expect.stringMatching(/Z$/),
        reserved_for_seconds: t.config.HOLD_TTL_SECONDS,
        created_at: expect.stringMatching(/Z$/),
      });
      const ttlMs = Date.parse(res.body.expires_at) - Date.parse(res.body.created_at);
      expect(ttlMs).toBe(t.config.HOLD_TTL_SECONDS * 1000);
      const read = await t
        .http()
        .get(`/api/holds/${res.body.id}`)
        .set('Authorization', `Bearer ${alice.key}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
      // The read after the write sees the new counters, not a cached entry from before it.
      expect(await getProduct(t, product.id)).toMatchObject({
        total_stock: 5,
        available_stock: 3,
        reserved_stock: 2,
        sold_stock: 0,
      });
    });

    it('409 insufficient_stock when more is asked than is available', async () => {
      const product = await createProduct(t, 3);
      await placeHold(t, alice.key, product.id, 2).expect(201);
      const res = await placeHold(t, alice.key, product.id, 2).expect(409);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('insufficient_stock');
      expect(await stockInDb(t, product.id)).toEqual({
        total_stock: 3,
        available_stock: 1,
        reserved_stock: 2,
        sold_stock: 0,
      });
    });

    it('404 for a valid UUID that is no product', async () => {
      const res = await placeHold(t, alice.key, UNKNOWN_ID, 1).expect(404);
      expect(res.body.code).toBe('not_found');
    });

    it.each([
      ['quantity', { quantity: 0 }],
      ['quantity', { quantity: 1001 }],
      ['quantity', { quantity: 1.5 }],
      ['quantity', { quantity: '2' }],
      ['quantity', { quantity: undefined }],
      ['product_id', { product_id: 'not-a-uuid' }],
    ])('400 validation_failed for a bad %s (%j)', async (field, override) => {
      const product = await createProduct(t, 5);
      const res = await t
        .http()
        .post('/api/holds')
        .set('Authorization', `Bearer ${alice.key}`)
        .send({ product_id: product.id, quantity: 1, ...override })
        .expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('400 for unknown fields and for non-UUID hold ids; 401 without a key', async () => {
      const product = await createProduct(t, 5);
      const res = await t
        .http()
        .post('/api/holds')
        .set('Authorization', `Bearer ${alice.key}`)
        .send({ product_id: product.id, quantity: 1, price: 1 })
        .expect(400);
      expect(res.body.code).toBe('validation_failed');
      await t.http().get('/api/holds/nope').set('Authorization', `Bearer ${alice.key}`).expect(400);
      await t.http().delete('/api/holds/nope').set('Authorization', `Bearer ${alice.key}`).expect(400);
      await t.http().post('/api/holds').send({ product_id: product.id, quantity: 1 }).expect(401);
    });

    it("another account's hold is not found, neither to read nor to release", async () => {
      const product = await createProduct(t, 5);
      const hold = (await placeHold(t, alice.key, product.id, 1).expect(201)).body;
      await t.http().get(`/api/holds/${hold.id}`).set('Authorization', `Bearer ${bob.key}`).expect(404);
      const res = await t
        .http()
        .delete(`/api/holds/${hold.id}`)
        .set('Authorization', `Bearer ${bob.key}`)
        .expect(404);
      expect(res.body.code).toBe('not_found');
      expect((await stockInDb(t, product.id)).reserved_stock).toBe(1);
    });

    it('releasing returns the units once; releasing again returns the hold unchanged', async () => {
      const product = await createProduct(t, 4);
      const hold = (await placeHold(t, alice.key, product.id, 3).expect(201)).body;
      const released = await t
        .http()
        .delete(`/api/holds/${hold.id}`)
        .set('Authorization', `Bearer ${alice.key}`)
        .expect(200);
      expect(released.body).toEqual({ ...hold, status: 'released' });
      expect(await getProduct(t, product.id)).toMatchObject({ available_stock: 4, reserved_stock: 0 });
      const again = await t
        .http()
        .delete(`/api/holds/${hold.id}`)
        .set('Authorization', `Bearer ${alice.key}`)
        .expect(200);
      expect(again.body).toEqual(released.body);
      expect(await stockInDb(t, product.id)).toEqual({
        total_stock: 4,
        available_stock: 4,
        reserved_stock: 0,
        sold_stock: 0,
      });
    });

    it('40 concurrent holds of 1 on stock 10: exactly 10 succeed, 30 get insufficient_stock', async () => {
      const product = await createProduct(t, 10);
      const results = await Promise.all(
        Array.from({ length: 40 }, () => placeHold(t, alice.key, product.id, 1)),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.filter((s) => s === 409)).toHaveLength(30);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'insufficient_stock')).toBe(
        true,
      );
      expect(await getProduct(t, product.id)).toMatchObject({
        total_stock: 10,
        available_stock: 0,
        reserved_stock: 10,
        sold_stock: 0,
      });
      const [{ count }] = await stockInDbHolds(product.id);
      expect(Number(count)).toBe(10);
    });

    it('30 concurrent holds of 1..3 on stock 7 never reserve more than 7', async () => {
      const product = await createProduct(t, 7);
      const quantities = Array.from({ length: 30 }, (_, i) => (i % 3) + 1);
      const results = await Promise.all(quantities.map((q) => placeHold(t, bob.key, product.id, q)));
      const granted = results.filter((r) => r.status === 201).map((r) => r.body.quantity as number);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.every((r) => r.status === 409 && r.body.code === 'insufficient_stock')).toBe(true);
      const sum = granted.reduce((a, b) => a + b, 0);
      const stock = await stockInDb(t, product.id);
      expect(sum).toBeLessThanOrEqual(7);
      expect(stock.reserved_stock).toBe(sum);
      expect(stock.available_stock).toBe(7 - sum);
      expect(stock.available_stock + stock.reserved_stock + stock.sold_stock).toBe(stock.total_stock);
      // Every refusal was right when it was made: at the end no refused quantity fits.
      const smallestRefused = Math.min(...quantities.filter((_, i) => results[i].status === 409));
      expect(smallestRefused).toBeGreaterThan(stock.available_stock);
    });
  });

  async function stockInDbHolds(productId: string): Promise<Array<{ count: string }>> {
    return t.app
      .get(DataSource)
      .query(`SELECT count(*) FROM holds WHERE product_id = $1 AND status = 'active'`, [productId]);
  }
});

describe('a product row locked past LOCK_TIMEOUT_MS (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ config: { LOCK_TIMEOUT_MS: 150 } });
  });
  afterAll(() => t.close());

  it('holds are answered 503 resource_busy with Retry-After, nothing is reserved; once unlocked they go through', async () => {
    const customer = await createCustomer(t, 'Busy buyer');
    const product = await createProduct(t, 5);
    const lock = await locker();
    let refused;
    try {
      await lock.query('SELECT id FROM products WHERE id = $1 FOR UPDATE', [product.id]);
      refused = await Promise.all(Array.from({ length: 3 }, () => placeHold(t, customer.key, product.id, 1)));
    } finally {
      await lock.release();
    }
    for (const res of refused) {
      expect([res.status, res.body.code, res.headers['retry-after']]).toEqual([503, 'resource_busy', '1']);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    }
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 5,
      available_stock: 5,
      reserved_stock: 0,
      sold_stock: 0,
    });
    const [{ holds }] = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS holds FROM holds WHERE product_id = $1', [product.id]);
    expect(holds).toBe(0);

    await placeHold(t, customer.key, product.id, 2).expect(201);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 3, reserved_stock: 2 });
  });
});
