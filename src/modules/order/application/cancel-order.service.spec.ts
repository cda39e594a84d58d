import { admin, counters, customer, seedPlacedOrder } from '../../../../test/support/in-memory/fixtures';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { InventoryMetrics } from '../../inventory/application/inventory-metrics';
import { StockFacade } from '../../inventory/application/stock.facade';
import { CancelOrderService } from './cancel-order.service';
import { OrderLifecycleFacade } from './order-lifecycle.facade';
import { OrderMetrics } from './order-metrics';

const alice = customer('Alice');

async function setup() {
  const t = await inMemoryModule([
    CancelOrderService,
    OrderLifecycleFacade,
    OrderMetrics,
    StockFacade,
    InventoryMetrics,
  ]);
  return { ...t, service: t.module.get(CancelOrderService) };
}

describe('CancelOrderService', () => {
  it("cancels the owner's unpaid order: its units go back to available and the product's sold-out mark ends", async () => {
    const t = await setup();
    const { product, order } = seedPlacedOrder(t.db, alice.accountId, { quantity: 3, stock: 3 });
    await t.soldOut.markSoldOut(product.id, 0n);
    await t.productCache.set(product);

    const cancelled = await t.service.execute(alice, order.id, undefined);

    expect(cancelled).toMatchObject({
      id: order.id,
      status: 'cancelled',
      amount: order.amount,
      payment: null,
    });
    expect(t.orders.committed(order.id)?.status).toBe('cancelled');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 3, reserved: 0, sold: 0 });
    expect(await t.soldOut.isSoldOut(product.id)).toBe(false);
    expect(t.productCache.entries.has(product.id)).toBe(false);
  });

  it('cancelling a cancelled order returns it unchanged and gives no unit back twice', async () => {
    const t = await setup();
    const { product, order } = seedPlacedOrder(t.db, alice.accountId, { quantity: 2, stock: 5 });
    const first = await t.service.execute(alice, order.id, undefined);

    const again = await t.service.execute(alice, order.id, undefined);

    expect(again).toEqual(first);
    expect(counters(t.products.committed(product.id))).toEqual({ available: 5, reserved: 0, sold: 0 });
  });

  it('only an unpaid order can be cancelled: a paid one is order_not_cancellable and its units stay sold', async () => {
    const t = await setup();
    const { product, order } = seedPlacedOrder(t.db, alice.accountId, {
      quantity: 2,
      stock: 5,
      status: 'paid',
      paymentId: '00000000-0000-4000-8000-0000000000aa',
    });

    await expect(t.service.execute(alice, order.id, undefined)).rejects.toMatchObject({
      code: 'order_not_cancellable',
    });

    expect(t.orders.committed(order.id)?.status).toBe('paid');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 3, reserved: 0, sold: 2 });
  });

  it("the admin may cancel any account's order; another customer gets not_found and nothing changes", async () => {
    const t = await setup();
    const { product, order } = seedPlacedOrder(t.db, alice.accountId, { quantity: 1, stock: 1 });

    await expect(t.service.execute(customer('Bob'), order.id, undefined)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(t.orders.committed(order.id)?.status).toBe('pending_payment');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 0, reserved: 1, sold: 0 });

    expect((await t.service.execute(admin(), order.id, undefined)).status).toBe('cancelled');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 1, reserved: 0, sold: 0 });
  });

  it('an unknown order is not_found', async () => {
    const t = await setup();
    await expect(
      t.service.execute(alice, '00000000-0000-4000-8000-000000000000', undefined),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
