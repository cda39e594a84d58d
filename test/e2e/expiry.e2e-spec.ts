import { getQueueToken } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { DataSource } from 'typeorm';
import { ExpireHoldsService } from '../../src/modules/inventory/application/expire-holds.service';
import { HOLD_EXPIRY_QUEUE, holdExpiryJobId } from '../../src/modules/inventory/inventory.tokens';
import { ExpireOrdersService } from '../../src/modules/order/application/expire-orders.service';
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

const HOLD_TTL_SECONDS = 600;
const ORDER_PAYMENT_TTL_SECONDS = 900;

/**
 * Time is not waited for: a test makes one hold or order overdue by setting its deadline before the
 * app's clock (which stands still), then runs what would run at that deadline (its delayed job,
 * promoted, or a sweep). The TTLs are long and the sweepers off, so nothing expires behind a test's back.
 */
describe('hold and order expiry (e2e)', () => {
  let t: TestApp;
  let db: DataSource;
  let alice: { id: string; key: string };

  beforeAll(async () => {
    t = await createTestApp({ config: { HOLD_TTL_SECONDS, ORDER_PAYMENT_TTL_SECONDS } });
    db = t.app.get(DataSource);
    alice = await createCustomer(t, 'Alice');
  });
  afterAll(() => t.close());

  const holdStatus = async (id: string): Promise<string> =>
    (await db.query('SELECT status FROM holds WHERE id = $1', [id]))[0].status;
  /** A second before the app's clock reads. */
  const past = () => new Date(t.clock.now() - 1000);
  const overdueHold = (id: string) =>
    db.query(`UPDATE holds SET expires_at = $2 WHERE id = $1`, [id, past()]);
  const overdueOrder = (id: string) =>
    db.query(`UPDATE orders SET payment_due_at = $2 WHERE id = $1`, [id, past()]);
  const queue = (name: string) => t.app.get<Queue>(getQueueToken(name), { strict: false });

  /** The delayed job enqueued after the commit (the request does not wait for the enqueue). */
  async function jobOf(queueName: string, jobId: string): Promise<Job> {
    const job = await eventually(
      () => queue(queueName).getJob(jobId),
      (j) => j !== null,
      2000,
    );
    expect(job).not.toBeNull();
    return job as Job;
  }
  /** Runs a delayed job now, as if its time had come, and waits for the worker to finish it. */
  async function runNow(job: Job): Promise<void> {
    await job.promote();
    await job.finished();
  }
  /** Deletes the job as if Redis had lost it. */
  async function loseJob(queueName: string, jobId: string): Promise<void> {
    await (await jobOf(queueName, jobId)).remove();
    expect(await queue(queueName).getJob(jobId)).toBeNull();
  }

  it("a hold's delayed job fires at expires_at and expires it: its units are back", async () => {
    const product = await createProduct(t, 5);
    const hold = (await placeHold(t, alice.key, product.id, 3).expect(201)).body;
    expect(hold.reserved_for_seconds).toBe(HOLD_TTL_SECONDS);
    const job = await jobOf(HOLD_EXPIRY_QUEUE, holdExpiryJobId(hold.id));
    expect(job.data).toEqual({ ids: [hold.id] });
    expect(job.opts.delay).toBe(HOLD_TTL_SECONDS * 1000);

    await overdueHold(hold.id);
    await runNow(job);
    expect(await getProduct(t, product.id)).toMatchObject({
      total_stock: 5,
      available_stock: 5,
      reserved_stock: 0,
      sold_stock: 0,
    });
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

  it('holds placed at once share delayed jobs, each hold in exactly one, and running them expires every hold', async () => {
    const product = await createProduct(t, 12);
    const holds: Array<{ id: string }> = (
      await Promise.all(Array.from({ length: 12 }, () => placeHold(t, alice.key, product.id, 1).expect(201)))
    ).map((r) => r.body);
    const ids = holds.map((h) => h.id).sort();
    // The jobs are enqueued after the commits, unawaited by the requests.
    const jobs = await eventually(
      async () =>
        (await queue(HOLD_EXPIRY_QUEUE).getDelayed()).filter((job) =>
          (job.data.ids as string[]).some((id) => ids.includes(id)),
        ),
      (found) => found.flatMap((job) => job.data.ids).length === ids.length,
      2000,
    );
    // Every hold in exactly one job, named after its first hold; batches made fewer jobs than holds.
    expect(jobs.flatMap((job) => job.data.ids as string[]).sort()).toEqual(ids);
    for (const job of jobs) expect(job.id).toBe(holdExpiryJobId(job.data.ids[0]));
    expect(jobs.length).toBeLessThan(ids.length);

    for (const id of ids) await overdueHold(id);
    for (const job of jobs) await runNow(job);
    expect(await Promise.all(ids.map(holdStatus))).toEqual(ids.map(() => 'expired'));
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 12, reserved_stock: 0 });
  });

  it('a job that fires early changes nothing', async () => {
    const product = await createProduct(t, 2);
    const hold = (await placeHold(t, alice.key, product.id, 2).expect(201)).body;
    await runNow(await jobOf(HOLD_EXPIRY_QUEUE, holdExpiryJobId(hold.id)));
    expect(await holdStatus(hold.id)).toBe('active');
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 0, reserved_stock: 2 });
  });

  it('the sweep expires a hold whose delayed job was lost', async () => {
    const product = await createProduct(t, 4);
    const hold = (await placeHold(t, alice.key, product.id, 4).expect(201)).body;
    await loseJob(HOLD_EXPIRY_QUEUE, holdExpiryJobId(hold.id));
    const expiry = t.app.get(ExpireHoldsService);
    expect(await expiry.sweep()).toBe(0); // not due yet
    await overdueHold(hold.id);
    expect(await expiry.sweep()).toBe(1);
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 4,
      available_stock: 4,
      reserved_stock: 0,
      sold_stock: 0,
    });
    expect(await holdStatus(hold.id)).toBe('expired');
    expect(await expiry.sweep()).toBe(0);
  });

  it('expiring a hold twice returns its units once', async () => {
    const product = await createProduct(t, 2);
    const hold = (await placeHold(t, alice.key, product.id, 2).expect(201)).body;
    const expiry = t.app.get(ExpireHoldsService);
    expect(await expiry.expireOne(hold.id)).toBe(false); // not due yet
    await overdueHold(hold.id);
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

  it('410 hold_expired for an order from a hold past expires_at that no sweep has touched', async () => {
    const product = await createProduct(t, 3);
    const hold = (await placeHold(t, alice.key, product.id, 1).expect(201)).body;
    await overdueHold(hold.id);
    const res = await createOrder(t, alice.key, hold.id);
    expect([res.status, res.body.code]).toEqual([410, 'hold_expired']);
    expect(await holdStatus(hold.id)).toBe('active');
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 2, reserved_stock: 1 });

    // Once swept, the same answer, and the unit is back.
    expect(await t.app.get(ExpireHoldsService).sweep()).toBe(1);
    expect(await holdStatus(hold.id)).toBe('expired');
    expect((await createOrder(t, alice.key, hold.id)).status).toBe(410);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 3, reserved_stock: 0 });
  });

  it('expiry racing release and order creation returns units exactly once', async () => {
    const holds = 12;
    const product = await createProduct(t, holds);
    const made = [];
    for (let i = 0; i < holds; i++)
      made.push((await placeHold(t, alice.key, product.id, 1).expect(201)).body);
    // Half of them are overdue (expiry can win them), half are not (only release or order can).
    for (const hold of made.slice(0, holds / 2)) await overdueHold(hold.id);
    const expiry = t.app.get(ExpireHoldsService);
    const results = await Promise.all(
      made.map(async (hold) => {
        const [release, order] = await Promise.all([
          t.http().delete(`/api/holds/${hold.id}`).set('Authorization', `Bearer ${alice.key}`),
          createOrder(t, alice.key, hold.id),
          expiry.expireOne(hold.id),
          expiry.sweep(),
        ]);
        return { release, order };
      }),
    );
    expect(results.every((r) => [201, 409, 410].includes(r.order.status))).toBe(true);
    expect(results.every((r) => [200, 409].includes(r.release.status))).toBe(true);
    // No order from an overdue hold.
    expect(results.slice(0, holds / 2).filter((r) => r.order.status === 201)).toEqual([]);
    const orders = results.filter((r) => r.order.status === 201).map((r) => r.order.body.id as string);

    // Every hold ended in exactly one final state and the units followed it.
    const states: Array<{ status: string; count: number }> = await db.query(
      `SELECT status, count(*)::int AS count FROM holds WHERE product_id = $1 GROUP BY status ORDER BY status`,
      [product.id],
    );
    expect(states.find((s) => s.status === 'active')).toBeUndefined();
    expect(states.find((s) => s.status === 'consumed')?.count ?? 0).toBe(orders.length);
    expect(states.reduce((sum, s) => sum + s.count, 0)).toBe(holds);
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: holds,
      available_stock: holds - orders.length,
      reserved_stock: orders.length,
      sold_stock: 0,
    });
    // The orders expire in turn and give everything back.
    for (const id of orders) await overdueOrder(id);
    expect(await t.app.get(ExpireOrdersService).sweep()).toBe(orders.length);
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: holds,
      available_stock: holds,
      reserved_stock: 0,
      sold_stock: 0,
    });
  });

  it('an unpaid order is cancelled at payment_due_at and its units come back, by its job or, without it, the sweep', async () => {
    const product = await createProduct(t, 5);
    const first = (await placeHold(t, alice.key, product.id, 2).expect(201)).body;
    const second = (await placeHold(t, alice.key, product.id, 3).expect(201)).body;
    const kept = (await createOrder(t, alice.key, first.id).expect(201)).body;
    const lost = (await createOrder(t, alice.key, second.id).expect(201)).body;
    const job = await jobOf(ORDER_EXPIRY_QUEUE, orderExpiryJobId(kept.id));
    expect(job.opts.delay).toBe(ORDER_PAYMENT_TTL_SECONDS * 1000);
    await loseJob(ORDER_EXPIRY_QUEUE, orderExpiryJobId(lost.id));
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 0, reserved_stock: 5 });

    await overdueOrder(kept.id);
    await overdueOrder(lost.id);
    await runNow(job);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 2, reserved_stock: 3 });
    expect(await t.app.get(ExpireOrdersService).sweep()).toBe(1);
    expect(await getProduct(t, product.id)).toMatchObject({
      total_stock: 5,
      available_stock: 5,
      reserved_stock: 0,
      sold_stock: 0,
    });
    for (const order of [kept, lost]) {
      const read = await t.http().get(`/api/orders/${order.id}`).set('Authorization', `Bearer ${alice.key}`);
      expect(read.body.status).toBe('cancelled');
    }
  });
});

describe('hold expiry on its own, with the worker running (e2e)', () => {
  // What the contract promises end to end: nothing but the app's own delayed jobs and sweepers.
  let t: TestApp;
  let alice: { id: string; key: string };

  beforeAll(async () => {
    t = await createTestApp({ config: { HOLD_TTL_SECONDS: 2 }, sweepers: true });
    alice = await createCustomer(t, 'Alice');
  });
  afterAll(() => t.close());

  it('an unused hold expires and its units are back, by its job or, with the job lost, the sweeper', async () => {
    const kept = await createProduct(t, 5);
    const lost = await createProduct(t, 4);
    const byJob = (await placeHold(t, alice.key, kept.id, 3).expect(201)).body;
    const bySweep = (await placeHold(t, alice.key, lost.id, 4).expect(201)).body;
    const queue = t.app.get<Queue>(getQueueToken(HOLD_EXPIRY_QUEUE), { strict: false });
    const job = await eventually(
      () => queue.getJob(holdExpiryJobId(bySweep.id)),
      (j) => j !== null,
      2000,
    );
    await job?.remove();
    // The app's clock reaches the deadlines; the delayed job and the sweeper run in real time.
    t.clock.advance(2000);
    const back = await eventually(
      async () => [await stockInDb(t, kept.id), await stockInDb(t, lost.id)],
      ([a, b]) => a.available_stock === 5 && b.available_stock === 4,
      8000,
    );
    expect(back).toEqual([
      { total_stock: 5, available_stock: 5, reserved_stock: 0, sold_stock: 0 },
      { total_stock: 4, available_stock: 4, reserved_stock: 0, sold_stock: 0 },
    ]);
    for (const id of [byJob.id, bySweep.id]) {
      const read = await t.http().get(`/api/holds/${id}`).set('Authorization', `Bearer ${alice.key}`);
      expect(read.body.status).toBe('expired');
    }
  });
});
