import { counters, customer } from '../../../../test/support/in-memory/fixtures';
import { seedHeldProduct } from '../../../../test/support/in-memory/inventory';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { ConsumeHoldService } from '../../inventory/application/consume-hold.service';
import { InventoryMetrics } from '../../inventory/application/inventory-metrics';
import { StockFacade } from '../../inventory/application/stock.facade';
import { CreateOrderService } from './create-order.service';
import { OrderCreationHooks } from './order-creation-hooks';
import { OrderMetrics } from './order-metrics';

const PAYMENT_TTL_SECONDS = 600;
const alice = customer('Alice');
const bob = customer('Bob');

async function setup() {
  const t = await inMemoryModule(
    [CreateOrderService, ConsumeHoldService, StockFacade, InventoryMetrics, OrderCreationHooks, OrderMetrics],
    { ORDER_PAYMENT_TTL_SECONDS: PAYMENT_TTL_SECONDS },
  );
  return { ...t, service: t.module.get(CreateOrderService), hooks: t.module.get(OrderCreationHooks) };
}

describe('CreateOrderService', () => {
  it("makes a pending order of the hold's units at the product's price; the hold is consumed, its units stay reserved", async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, {
      quantity: 3,
      stock: 10,
      price: 1500n,
    });

    const order = await t.service.execute(alice, hold.id, undefined);

    expect(order).toMatchObject({
      accountId: alice.accountId,
      holdId: hold.id,
      productId: product.id,
      quantity: 3,
      unitPrice: 1500n,
      amount: 4500n,
      currency: 'USD',
      status: 'pending_payment',
      refundedAmount: 0n,
      paymentId: null,
      payment: null,
    });
    expect(order.paymentDueAt.getTime() - order.createdAt.getTime()).toBe(PAYMENT_TTL_SECONDS * 1000);
    const { payment: _none, ...stored } = order;
    expect(t.orders.all()).toEqual([stored]);
    expect(t.holds.committed(hold.id)?.status).toBe('consumed');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 7, reserved: 3, sold: 0 });
  });

  it("schedules the order's payment deadline once, and only after the order has committed", async () => {
    const t = await setup();
    const { hold } = seedHeldProduct(t.db, alice.accountId);
    const schedule = t.orderExpiry.schedule.bind(t.orderExpiry);
    const committedWhenScheduled: boolean[] = [];
    jest.spyOn(t.orderExpiry, 'schedule').mockImplementation(async (ids, delayMs) => {
      committedWhenScheduled.push(ids.every((id) => t.orders.committed(id) !== null));
      return schedule(ids, delayMs);
    });

    const order = await t.service.execute(alice, hold.id, undefined);

    expect(committedWhenScheduled).toEqual([true]);
    const [job] = t.orderExpiry.jobs();
    expect(t.orderExpiry.jobs()).toHaveLength(1);
    expect(job).toMatchObject({ jobId: `order-expiry:${order.id}`, ids: [order.id] });
    expect(job.runAt).toBe(t.clock.now() + PAYMENT_TTL_SECONDS * 1000);
  });

  it('a hold makes one order: a second attempt is hold_not_active and changes nothing', async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, { quantity: 2 });
    const { payment: _none, ...first } = await t.service.execute(alice, hold.id, undefined);

    await expect(t.service.execute(alice, hold.id, undefined)).rejects.toMatchObject({
      code: 'hold_not_active',
    });

    expect(t.orders.all()).toEqual([first]);
    expect(t.orderExpiry.jobs().flatMap((j) => j.ids)).toEqual([first.id]);
    expect(counters(t.products.committed(product.id))).toEqual({ available: 8, reserved: 2, sold: 0 });
  });

  it('of two attempts on one hold at the same time, exactly one makes an order', async () => {
    const t = await setup();
    const { hold } = seedHeldProduct(t.db, alice.accountId);

    const results = await Promise.allSettled([
      t.service.execute(alice, hold.id, undefined),
      t.service.execute(alice, hold.id, undefined),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => (r.reason as { code: string }).code),
    ).toEqual(['hold_not_active']);
    expect(t.orders.all()).toHaveLength(1);
  });

  it("another account's hold is not_found, and it stays active with nothing scheduled", async () => {
    const t = await setup();
    const { hold } = seedHeldProduct(t.db, alice.accountId);

    await expect(t.service.execute(bob, hold.id, undefined)).rejects.toMatchObject({ code: 'not_found' });

    expect(t.holds.committed(hold.id)?.status).toBe('active');
    expect(t.orders.all()).toEqual([]);
    expect(t.orderExpiry.jobs()).toEqual([]);
  });

  it('an unknown hold is not_found', async () => {
    const t = await setup();
    await expect(
      t.service.execute(alice, '00000000-0000-4000-8000-000000000000', undefined),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('a hold past its deadline is hold_expired even before the sweeper came, and is left to it', async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, {
      quantity: 2,
      expiresAt: new Date(t.clock.now() - 1),
    });

    await expect(t.service.execute(alice, hold.id, undefined)).rejects.toMatchObject({
      code: 'hold_expired',
    });

    expect(t.holds.committed(hold.id)?.status).toBe('active');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 8, reserved: 2, sold: 0 });
    expect(t.orders.all()).toEqual([]);
  });

  it('an expired hold is hold_expired, a released one hold_not_active', async () => {
    const t = await setup();
    const expired = seedHeldProduct(t.db, alice.accountId, { status: 'expired' }).hold;
    const released = seedHeldProduct(t.db, alice.accountId, { status: 'released' }).hold;

    await expect(t.service.execute(alice, expired.id, undefined)).rejects.toMatchObject({
      code: 'hold_expired',
    });
    await expect(t.service.execute(alice, released.id, undefined)).rejects.toMatchObject({
      code: 'hold_not_active',
    });
    expect(t.orders.all()).toEqual([]);
  });

  it('a total past the largest amount is amount_too_large, and the hold it had consumed is active again', async () => {
    const t = await setup();
    const { hold } = seedHeldProduct(t.db, alice.accountId, {
      quantity: 2,
      price: BigInt(Number.MAX_SAFE_INTEGER),
    });

    await expect(t.service.execute(alice, hold.id, undefined)).rejects.toMatchObject({
      code: 'amount_too_large',
    });

    expect(t.holds.committed(hold.id)?.status).toBe('active');
    expect(t.orders.all()).toEqual([]);
    expect(t.orderExpiry.jobs()).toEqual([]);
  });

  it('the order, the consumed hold and every listener commit together: a failing listener leaves nothing', async () => {
    const t = await setup();
    const { hold } = seedHeldProduct(t.db, alice.accountId);
    const seen: string[] = [];
    t.hooks.register({
      onOrderCreated: async (_em, order) => {
        seen.push(order.id);
        throw new Error('listener failed');
      },
    });

    await expect(t.service.execute(alice, hold.id, undefined)).rejects.toThrow('listener failed');

    expect(seen).toHaveLength(1);
    expect(t.orders.all()).toEqual([]);
    expect(t.holds.committed(hold.id)?.status).toBe('active');
    expect(t.orderExpiry.jobs()).toEqual([]);
  });

  it('a listener may move the new order on in the same transaction, and the answer shows it', async () => {
    const t = await setup();
    const { hold } = seedHeldProduct(t.db, alice.accountId);
    t.hooks.register({
      onOrderCreated: async (em, order) => {
        await t.orders.save(em, { ...order, status: 'cancelled', updatedAt: new Date(t.clock.now()) });
      },
    });

    const order = await t.service.execute(alice, hold.id, undefined);

    expect(order.status).toBe('cancelled');
    expect(t.orders.committed(order.id)?.status).toBe('cancelled');
  });
});
