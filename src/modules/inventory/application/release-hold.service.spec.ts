import { counters, customer } from '../../../../test/support/in-memory/fixtures';
import { seedHeldProduct, seedHold, seedProduct } from '../../../../test/support/in-memory/inventory';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { MetricsRegistry } from '../../../shared/observability/metrics';
import { HoldReturns } from './hold-returns';
import { InventoryMetrics } from './inventory-metrics';
import { ReleaseHoldService } from './release-hold.service';
import { StockFacade } from './stock.facade';

const alice = customer('Alice');
const bob = customer('Bob');

async function setup() {
  const t = await inMemoryModule([ReleaseHoldService, HoldReturns, StockFacade, InventoryMetrics]);
  const registry = t.module.get(MetricsRegistry);
  const expiredCount = async () =>
    (await registry.getSingleMetric('inventory_holds_expired_total')?.get())?.values[0]?.value ?? 0;
  return { ...t, service: t.module.get(ReleaseHoldService), expiredCount };
}

describe('ReleaseHoldService', () => {
  it('releases an active hold: its units go back to available, the cache entry goes and the sold-out mark ends', async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, { quantity: 3, stock: 3 });
    await t.productCache.set(product);
    await t.soldOut.markSoldOut(product.id, 0n);

    const released = await t.service.execute(alice, hold.id);

    expect(released).toMatchObject({ id: hold.id, status: 'released' });
    expect(t.events.recorded).toEqual([
      expect.objectContaining({
        type: 'hold.released',
        accountId: alice.accountId,
        resourceId: hold.id,
        data: { object: expect.objectContaining({ id: hold.id, status: 'released', quantity: 3 }) },
      }),
    ]);
    expect(t.holds.committed(hold.id)?.status).toBe('released');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 3, reserved: 0, sold: 0 });
    expect(t.productCache.entries.has(product.id)).toBe(false);
    expect(await t.soldOut.isSoldOut(product.id)).toBe(false);
  });

  it('releasing a released hold returns it unchanged and gives no unit back twice', async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, { quantity: 2, stock: 5 });
    await t.service.execute(alice, hold.id);
    const version = t.products.committed(product.id)?.stockVersion;

    const again = await t.service.execute(alice, hold.id);

    expect(again.status).toBe('released');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect(t.products.committed(product.id)?.stockVersion).toBe(version);
  });

  it('a hold found past its deadline is expired instead, once, and counted as an expiry', async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, {
      quantity: 2,
      stock: 4,
      expiresAt: new Date(t.clock.now() - 1),
    });

    const result = await t.service.execute(alice, hold.id);
    const again = await t.service.execute(alice, hold.id);

    expect([result.status, again.status]).toEqual(['expired', 'expired']);
    expect(t.holds.committed(hold.id)?.status).toBe('expired');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 4, reserved: 0, sold: 0 });
    expect(await t.expiredCount()).toBe(1);
  });

  it('a hold that made an order is hold_not_active, and its units stay with the order', async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 5, availableStock: 3, reservedStock: 2 });
    const hold = seedHold(t.db, {
      productId: product.id,
      accountId: alice.accountId,
      quantity: 2,
      status: 'consumed',
    });

    await expect(t.service.execute(alice, hold.id)).rejects.toMatchObject({ code: 'hold_not_active' });

    expect(t.holds.committed(hold.id)?.status).toBe('consumed');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 3, reserved: 2, sold: 0 });
  });

  it("another account's hold and an unknown one are not_found, and nothing moves", async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, { quantity: 2, stock: 5 });

    await expect(t.service.execute(bob, hold.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.service.execute(alice, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'not_found',
    });

    expect(t.holds.committed(hold.id)?.status).toBe('active');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 3, reserved: 2, sold: 0 });
  });
});
