import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { OneChargePerOrder1764000400000 } from '../../migrations/1764000400000-OneChargePerOrder';
import { pay, pendingOrder, refund, sendWebhook, succeeded } from '../support/payment-fixtures';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/test-app';
import { bearer } from '../support/wallet-fixtures';

/**
 * What the payments table itself refuses, whatever the service does: a second charge of an order,
 * a provider's payment recorded twice on one order, money owed back counted as a charge.
 */
describe('payments: one charge per order (integration, the schema alone)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  /** Inserts a payment row directly; `undefined` when it went in, else the SQLSTATE and constraint. */
  const insert = async (
    orderId: string,
    row: { method?: string; status: string; paysOrder: boolean; externalPaymentId?: string },
  ): Promise<{ code: string; constraint: string } | undefined> => {
    try {
      await db.query(
        `INSERT INTO payments (id, order_id, method, status, pays_order, amount, currency, external_payment_id)
         VALUES ($1, $2, 'external', $3, $4, 2000, 'USD', $5)`,
        [randomUUID(), orderId, row.status, row.paysOrder, row.externalPaymentId ?? `pay_${randomUUID()}`],
      );
      return undefined;
    } catch (error) {
      const { code, constraint } = error as { code: string; constraint: string };
      return { code, constraint };
    }
  };

  async function paidOrder() {
    const f = await pendingOrder(t, { balance: 5000, price: 1000, quantity: 2 });
    await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
    return f;
  }

  // First in the file: down() needs every order to have one payment row at most.
  it('down() then up() on rows of the older schema: a payment of a cancelled order is owed back, any other pays it', async () => {
    const paid = await paidOrder();
    const owed = await pendingOrder(t, { balance: 0, price: 1000, quantity: 2 });
    await t.http().post(`/api/orders/${owed.orderId}/cancel`).set(bearer(owed.customer.key)).expect(200);
    await sendWebhook(t, succeeded({ order_id: owed.orderId, amount: owed.amount })).expect(200);
    const settled = await pendingOrder(t, { balance: 0, price: 1000, quantity: 2 });
    await t
      .http()
      .post(`/api/orders/${settled.orderId}/cancel`)
      .set(bearer(settled.customer.key))
      .expect(200);
    await sendWebhook(t, succeeded({ order_id: settled.orderId, amount: settled.amount })).expect(200);
    const [{ id: settledPayment }] = await db.query('SELECT id FROM payments WHERE order_id = $1', [
      settled.orderId,
    ]);
    await t
      .http()
      .post(`/api/admin/payments/${settledPayment}/resolve`)
      .set(bearer(ADMIN_KEY()))
      .set('Idempotency-Key', randomUUID())
      .send({ external_reference: 're_before_revert' })
      .expect(200);
    const refunded = await paidOrder();
    await refund(t, refunded.orderId).expect(200);

    const orders = [paid.orderId, owed.orderId, settled.orderId, refunded.orderId];
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const migration = new OneChargePerOrder1764000400000();
      await migration.down(runner);
      const columns = await runner.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'payments' AND column_name = 'pays_order'`,
      );
      expect(columns).toEqual([]);
      await migration.up(runner);
      const rows = await runner.query(
        `SELECT order_id, status, pays_order FROM payments WHERE order_id = ANY($1)`,
        [orders],
      );
      expect(new Map(rows.map((r: { order_id: string }) => [r.order_id, r]))).toEqual(
        new Map([
          [paid.orderId, { order_id: paid.orderId, status: 'succeeded', pays_order: true }],
          [owed.orderId, { order_id: owed.orderId, status: 'refund_required', pays_order: false }],
          [settled.orderId, { order_id: settled.orderId, status: 'refunded', pays_order: false }],
          [refunded.orderId, { order_id: refunded.orderId, status: 'refunded', pays_order: true }],
        ]),
      );
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('refuses a second charge of an order, but keeps any number of other payments owed back', async () => {
    const f = await paidOrder();
    expect(await insert(f.orderId, { status: 'succeeded', paysOrder: true })).toEqual({
      code: '23505',
      constraint: 'payments_one_charge_per_order',
    });
    expect(await insert(f.orderId, { status: 'refund_required', paysOrder: false })).toBeUndefined();
    expect(await insert(f.orderId, { status: 'refunded', paysOrder: false })).toBeUndefined();
    const rows = await db.query(
      'SELECT method, status, pays_order FROM payments WHERE order_id = $1 ORDER BY created_at, status',
      [f.orderId],
    );
    expect(rows).toEqual([
      { method: 'wallet', status: 'succeeded', pays_order: true },
      { method: 'external', status: 'refund_required', pays_order: false },
      { method: 'external', status: 'refunded', pays_order: false },
    ]);
  });

  it("refuses a provider's payment recorded twice on one order, and money owed back shown as a charge", async () => {
    const f = await paidOrder();
    const externalPaymentId = `pay_${randomUUID()}`;
    expect(
      await insert(f.orderId, { status: 'refund_required', paysOrder: false, externalPaymentId }),
    ).toBeUndefined();
    expect(await insert(f.orderId, { status: 'refunded', paysOrder: false, externalPaymentId })).toEqual({
      code: '23505',
      constraint: 'payments_order_external_payment_unique',
    });
    expect(await insert(f.orderId, { status: 'refund_required', paysOrder: true })).toEqual({
      code: '23514',
      constraint: 'payments_pays_order_status',
    });
    expect(await insert(f.orderId, { status: 'succeeded', paysOrder: false })).toEqual({
      code: '23514',
      constraint: 'payments_pays_order_status',
    });
  });

  it('down() refuses while an order has two payments, and changes nothing', async () => {
    const f = await paidOrder();
    expect(await insert(f.orderId, { status: 'refund_required', paysOrder: false })).toBeUndefined();
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await expect(new OneChargePerOrder1764000400000().down(runner)).rejects.toThrow(
        /order\(s\) have more than one payment .*Nothing was changed/,
      );
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    const indexes = await db.query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'payments' AND indexname LIKE 'payments_%' ORDER BY 1`,
    );
    expect(indexes.map((i: { indexname: string }) => i.indexname)).toEqual(
      expect.arrayContaining(['payments_one_charge_per_order', 'payments_order_external_payment_unique']),
    );
    expect(indexes.map((i: { indexname: string }) => i.indexname)).not.toContain('payments_order_id_unique');
  });
});
