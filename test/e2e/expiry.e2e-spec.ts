import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { ExpireHoldsService } from '../../src/modules/inventory/application/expire-holds.service';
import { HOLD_EXPIRY_QUEUE, holdExpiryJobId } from '../../src/modules/inventory/inventory.tokens';
import { ORDER_EXPIRY_QUEUE, orderExpiryJobId } from '../../src/modules/order/order.tokens';
import { createCustomer, createTestApp, type TestApp } from '../support/test-app';
import {
  createOrder,
  createProduct,
  eventually,
  getProduct,
  placeHold,
  stockInDb,
} from '../support/inventory-fixtures';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hold and order expiry (e2e)', () => {
  let t: TestApp;
  let alice: { id: string; key: string };

  beforeAll(async () => {
    t = await createTestApp({
      config: { HOLD_TTL_SECONDS: 2, ORDER_PAYMENT_TTL_SECONDS: 2 },
      sweepers: true,
    });
    alice = await createCustomer(t, 'Alice');
  });
  afterAll(() => t.close());

  const holdStatus = async (id: string): Promise<string> =>
    (await t.app.get(DataSource).query('SELECT status FROM holds WHERE id = $1', [id]))[0].status;

  /** Waits for the after-commit enqueue, then deletes the job as if Redis had lost it. */
  async function loseJob(queueName: string, jobId: string): Promise<void> {
    const queue = t.app.get<Queue>(getQueueToken(queueName), { strict: false });
    const job = await eventually(
      () => queue.getJob(jobId),
      (j) => j !== null,
      2000,
    );
    expect(job).not.toBeNull();
    await job?.remove();
    expect(await queue.getJob(jobId)).toBeNull();
  }

  it('an unused hold expires and its units are back within 5 s', async () => {
    const product = await createProduct(t, 5);
    const hold = (await placeHold(t, alice.key, product.id, 3).expect(201)).body;
    expect(hold.reserved_for_seconds).toBe(2);
    const stock = await eventually(
      () => getProduct(t, product.id),
      (p) => p.available_stock === 5,
      5000,
    );
    expect(stock).toMatchObject({ total_stock: 5, available_stock: 5, reserved_stock: 0, sold_stock: 0 });
    expect(Date.now()).toBeLessThan(Date.parse(hold.expires_at) + 5000);
    const read = await t.http().get(`/api/holds/${hold.id}`).set('Authorization', `Bearer ${alice.key}`);
    expect(read.body.status).toBe('expired');
    // Releasing an expired hold returns it unchanged and returns no units a second time.
    const release = await t
      .http()
      .delete(`/api/holds/${hold.id}`)
      .set('Authorization', `Bearer ${alice.key}`);
    expect(release.status).toBe(200);
    expect(release.body).toEqual(read.body);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 5, reserved_stock: 0 });
  });

  it('the sweeper expires a hold whose delayed job was lost', async () => {
    const product = await createProduct(t, 4);
    const hold = (await placeHold(t, alice.key, product.id, 4).expect(201)).body;
    await loseJob(HOLD_EXPIRY_QUEUE, holdExpiryJobId(hold.id));
    const stock = await eventually(
      () => stockInDb(t, product.id),
      (s) => s.available_stock === 4,
      5000,
    );
    expect(stock).toEqual({ total_stock: 4, available_stock: 4, reserved_stock: 0, sold_stock: 0 });
    expect(await holdStatus(hold.id)).toBe('expired');
  });

  it('expiring a hold twice returns its units once', async () => {
    const product = await createProduct(t, 2);
    const hold = (await placeHold(t, alice.key, product.id, 2).expect(201)).body;
    const expiry = t.app.get(ExpireHoldsService);
    expect(await expiry.expireOne(hold.id)).toBe(false); // not due yet
    await t.app
      .get(DataSource)
      .query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [hold.id]);
    const outcomes = await Promise.all([
      expiry.expireOne(hold.id),
      expiry.expireOne(hold.id),
      expiry.sweep(),
    ]);
    expect(outcomes.filter((o) => o === true || o === 1)).toHaveLength(1);
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 2,
      available_stock: 2,
      reserved_stock: 0,
      sold_stock: 0,
    });
  });

  it('410 hold_expired for an order from a hold past expires_at that no sweeper has touched', async () => {
    const product = await createProduct(t, 3);
    const hold = (await placeHold(t, alice.key, product.id, 1).expect(201)).body;
    const ds = t.app.get(DataSource);
    await ds.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [hold.id]);
    // A share lock makes the sweepers (FOR UPDATE SKIP LOCKED) pass the hold by, while the order
    // request queues for it and gets it as soon as the lock goes.
    const blocker = ds.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query('SELECT id FROM holds WHERE id = $1 FOR KEY SHARE', [hold.id]);
    const order = createOrder(t, alice.key, hold.id).then((r) => r);
    await sleep(1500);
    expect(await holdStatus(hold.id)).toBe('active');
    await blocker.commitTransaction();
    await blocker.release();
    const res = await order;
    expect(res.status).toBe(410);
    expect(res.body.code).toBe('hold_expired');

    // Once swept, the same answer.
    await eventually(
      () => holdStatus(hold.id),
      (s) => s === 'expired',
      5000,
    );
    expect((await createOrder(t, alice.key, hold.id)).status).toBe(410);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 3, reserved_stock: 0 });
  });

  it('expiry racing release and order creation returns units exactly once', async () => {
    const holds = 12;
    const product = await createProduct(t, holds);
    const made = [];
    for (let i = 0; i < holds; i++)
      made.push((await placeHold(t, alice.key, product.id, 1).expect(201)).body);
    const expiry = t.app.get(ExpireHoldsService);
    // Fire around the deadline so that each contender sometimes wins.
    await sleep(Math.max(0, Date.parse(made[0].expires_at) - Date.now() - 40));
    const results = await Promise.all(
      made.map(async (hold, i) => {
        await sleep(i * 7);
        const [release, order] = await Promise.all([
          t.http().delete(`/api/holds/${hold.id}`).set('Authorization', `Bearer ${alice.key}`),
          createOrder(t, alice.key, hold.id),
          expiry.expireOne(hold.id),
          expiry.sweep(),
        ]);
        return { release, order };
      }),
    );
    const orders = results.filter((r) => r.order.status === 201).length;
    expect(results.every((r) => [201, 409, 410].includes(r.order.status))).toBe(true);
    expect(results.every((r) => [200, 409].includes(r.release.status))).toBe(true);

    // Every hold ended in exactly one final state and the units followed it.
    await eventually(
      async () =>
        (
          await t.app
            .get(DataSource)
            .query(`SELECT count(*) FROM holds WHERE product_id = $1 AND status = 'active'`, [product.id])
        )[0].count,
      (c) => Number(c) === 0,
      5000,
    );
    const consumed = Number(
      (
        await t.app
          .get(DataSource)
          .query(`SELECT count(*) FROM holds WHERE product_id = $1 AND status = 'consumed'`, [product.id])
      )[0].count,
    );
    expect(consumed).toBe(orders);
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: holds,
      available_stock: holds - orders,
      reserved_stock: orders,
      sold_stock: 0,
    });
    // The orders expire in turn (2 s) and give everything back.
    const end = await eventually(
      () => stockInDb(t, product.id),
      (s) => s.available_stock === holds,
      6000,
    );
    expect(end).toEqual({ total_stock: holds, available_stock: holds, reserved_stock: 0, sold_stock: 0 });
  });

  it('an unpaid order is cancelled at payment_due_at and its units come back, even without its job', async () => {
    const product = await createProduct(t, 5);
    const first = (await placeHold(t, alice.key, product.id, 2).expect(201)).body;
    const second = (await placeHold(t, alice.key, product.id, 3).expect(201)).body;
    const kept = (await createOrder(t, alice.key, first.id).expect(201)).body;
    const lost = (await createOrder(t, alice.key, second.id).expect(201)).body;
    await loseJob(ORDER_EXPIRY_QUEUE, orderExpiryJobId(lost.id));
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 0, reserved_stock: 5 });

    const stock = await eventually(
      () => getProduct(t, product.id),
      (p) => p.available_stock === 5,
      5000,
    );
    expect(stock).toMatchObject({ total_stock: 5, available_stock: 5, reserved_stock: 0, sold_stock: 0 });
    for (const order of [kept, lost]) {
      const read = await t.http().get(`/api/orders/${order.id}`).set('Authorization', `Bearer ${alice.key}`);
      expect(read.body.status).toBe('cancelled');
    }
  });
});
