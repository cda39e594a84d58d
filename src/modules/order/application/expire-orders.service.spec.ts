import { counters, customer, seedPlacedOrder } from '../../../../test/support/in-memory/fixtures';
import { seedHeldProduct } from '../../../../test/support/in-memory/inventory';
import { type InMemoryPorts, inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { MetricsRegistry } from '../../../shared/observability/metrics';
import { ConsumeHoldService } from '../../inventory/application/consume-hold.service';
import { InventoryMetrics } from '../../inventory/application/inventory-metrics';
import { StockFacade } from '../../inventory/application/stock.facade';
import { CreateOrderService } from './create-order.service';
import { ExpireOrdersService } from './expire-orders.service';
import { OrderCreationHooks } from './order-creation-hooks';
import { OrderLifecycleFacade } from './order-lifecycle.facade';
import { OrderMetrics } from './order-metrics';

const PAYMENT_TTL_SECONDS = 900;
const alice = customer('Alice');
/** A second before the services' clock reads. */
const past = (t: InMemoryPorts) => new Date(t.clock.now() - 1000);

async function setup() {
  const t = await inMemoryModule(
    [
      ExpireOrdersService,
      CreateOrderService,
      OrderLifecycleFacade,
      OrderCreationHooks,
      OrderMetrics,
      ConsumeHoldService,
      StockFacade,
      InventoryMetrics,
    ],
    { ORDER_PAYMENT_TTL_SECONDS: PAYMENT_TTL_SECONDS },
  );
  const registry = t.module.get(MetricsRegistry);
  const count = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
  return {
    ...t,
    service: t.module.get(ExpireOrdersService),
    createOrder: t.module.get(CreateOrderService),
    count,
  };
}

describe('ExpireOrdersService', () => {
  it('cancels an unpaid order through its DeadlineScheduler job at payment_due_at, and not before', async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, { quantity: 2, stock: 2 });
    const order = await t.createOrder.execute(alice, hold.id, undefined);

    t.clock.advance(PAYMENT_TTL_SECONDS * 1000 - 1);
    expect(await t.orderExpiry.runDue(t.service)).toEqual([]);
    t.clock.advance(1);
    expect(await t.orderExpiry.runDue(t.service)).toEqual([order.id]);

    expect(t.orders.committed(order.id)?.status).toBe('cancelled');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 2, reserved: 0, sold: 0 });
    expect(await t.count('orders_expired_total')).toBe(1);
    expect(await t.count('orders_cancelled_total')).toBe(0);
  });

  it('a job that comes early, twice, or for an order paid meanwhile changes nothing', async () => {
    const t = await setup();
    const early = seedPlacedOrder(t.db, alice.accountId);
    const due = seedPlacedOrder(t.db, alice.accountId, { quantity: 1, stock: 1, paymentDueAt: past(t) });
    const paid = seedPlacedOrder(t.db, alice.accountId, {
      quantity: 1,
      stock: 1,
      paymentDueAt: past(t),
      status: 'paid',
      paymentId: 'p',
    });

    expect(await t.service.expireOne(early.order.id)).toBe(false);
    expect(await t.service.expireOne(due.order.id)).toBe(true);
    expect(await t.service.expireOne(due.order.id)).toBe(false);
    expect(await t.service.expireOne(paid.order.id)).toBe(false);
    expect(await t.service.expireOne('00000000-0000-4000-8000-000000000000')).toBe(false);

    expect(t.orders.committed(early.order.id)?.status).toBe('pending_payment');
    expect(counters(t.products.committed(due.product.id))).toEqual({ available: 1, reserved: 0, sold: 0 });
    expect(t.orders.committed(paid.order.id)?.status).toBe('paid');
    expect(counters(t.products.committed(paid.product.id))).toEqual({ available: 0, reserved: 0, sold: 1 });
  });

  it('the sweep cancels every overdue unpaid order, whether or not its job was lost, and no other', async () => {
    const t = await setup();
    const overdue = [
      seedPlacedOrder(t.db, alice.accountId, { paymentDueAt: past(t) }),
      seedPlacedOrder(t.db, customer().accountId, { paymentDueAt: past(t) }),
    ];
    const pending = seedPlacedOrder(t.db, alice.accountId);

    expect(await t.service.sweep()).toBe(2);
    expect(await t.service.sweep()).toBe(0);

    expect(overdue.map(({ order }) => t.orders.committed(order.id)?.status)).toEqual([
      'cancelled',
      'cancelled',
    ]);
    expect(t.orders.committed(pending.order.id)?.status).toBe('pending_payment');
    for (const { product } of overdue) {
      expect(counters(t.products.committed(product.id))).toEqual({ available: 10, reserved: 0, sold: 0 });
    }
  });
});
