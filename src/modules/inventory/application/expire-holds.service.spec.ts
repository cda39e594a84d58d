import { counters, customer } from '../../../../test/support/in-memory/fixtures';
import { seedHeldProduct, seedHold, seedProduct } from '../../../../test/support/in-memory/inventory';
import { type InMemoryPorts, inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { ExpireHoldsService } from './expire-holds.service';
import { HoldReturns } from './hold-returns';
import { InventoryMetrics } from './inventory-metrics';
import { PlaceHoldService } from './place-hold.service';
import { ReleaseHoldService } from './release-hold.service';
import { StockFacade } from './stock.facade';

const HOLD_TTL_SECONDS = 120;
const alice = customer('Alice');
/** A second before the services' clock reads. */
const past = (t: InMemoryPorts) => new Date(t.clock.now() - 1000);

async function setup() {
  const t = await inMemoryModule(
    [ExpireHoldsService, HoldReturns, PlaceHoldService, ReleaseHoldService, StockFacade, InventoryMetrics],
    {
      HOLD_TTL_SECONDS,
    },
  );
  return { ...t, service: t.module.get(ExpireHoldsService), placeHold: t.module.get(PlaceHoldService) };
}

describe('ExpireHoldsService', () => {
  it('expires a placed hold through its DeadlineScheduler job once the deadline has come, and not before', async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 4 });
    const hold = await t.placeHold.execute(alice, product.id, 3, undefined);
    expect(t.holdExpiry.jobs()).toEqual([
      { jobId: `hold-expiry:${hold.id}`, ids: [hold.id], runAt: t.clock.now() + HOLD_TTL_SECONDS * 1000 },
    ]);

    t.clock.advance(HOLD_TTL_SECONDS * 1000 - 1);
    expect(await t.holdExpiry.runDue(t.service)).toEqual([]);
    expect(t.holds.committed(hold.id)?.status).toBe('active');

    t.clock.advance(1);
    expect(await t.holdExpiry.runDue(t.service)).toEqual([hold.id]);
    expect(t.holds.committed(hold.id)?.status).toBe('expired');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 4, reserved: 0, sold: 0 });
    expect(t.holdExpiry.jobs()).toEqual([]);
  });

  it("a batch's one job expires each of its holds that is still active at the deadline", async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 10 });
    const callers = [customer(), customer(), customer()];
    // Three holds at once: one batch, one transaction, one job.
    const holds = await Promise.all(
      callers.map((caller, i) => t.placeHold.execute(caller, product.id, i + 1, undefined)),
    );
    expect(t.holdExpiry.jobs()).toEqual([
      { jobId: `hold-expiry:${holds[0].id}`, ids: holds.map((h) => h.id), runAt: expect.any(Number) },
    ]);
    // The second is released before the job runs: the job leaves it as it is.
    await t.module.get(ReleaseHoldService).execute(callers[1], holds[1].id);

    t.clock.advance(HOLD_TTL_SECONDS * 1000);
    expect(await t.holdExpiry.runDue(t.service)).toEqual([holds[0].id, holds[2].id]);
    expect(holds.map((h) => t.holds.committed(h.id)?.status)).toEqual(['expired', 'released', 'expired']);
    expect(counters(t.products.committed(product.id))).toEqual({ available: 10, reserved: 0, sold: 0 });
  });

  it('a job that runs early, twice, or for a hold no longer active changes nothing', async () => {
    const t = await setup();
    const early = seedHeldProduct(t.db, alice.accountId, { quantity: 1 });
    const due = seedHeldProduct(t.db, alice.accountId, { quantity: 2, stock: 5, expiresAt: past(t) });
    const released = seedHeldProduct(t.db, alice.accountId, { status: 'released', expiresAt: past(t) });

    expect(await t.service.expireOne(early.hold.id)).toBe(false);
    expect(await t.service.expireOne(due.hold.id)).toBe(true);
    expect(await t.service.expireOne(due.hold.id)).toBe(false);
    expect(await t.service.expireOne(released.hold.id)).toBe(false);
    expect(await t.service.expireOne('00000000-0000-4000-8000-000000000000')).toBe(false);

    expect(t.holds.committed(early.hold.id)?.status).toBe('active');
    expect(counters(t.products.committed(due.product.id))).toEqual({ available: 5, reserved: 0, sold: 0 });
    expect(t.holds.committed(released.hold.id)?.status).toBe('released');
  });

  it('the sweep expires every overdue active hold, also one whose job was lost, and leaves the rest', async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 10 });
    const lost = await t.placeHold.execute(alice, product.id, 2, undefined);
    const kept = await t.placeHold.execute(customer(), product.id, 3, undefined);
    t.holdExpiry.lose();
    t.clock.advance(HOLD_TTL_SECONDS * 1000);
    const later = await t.placeHold.execute(customer(), product.id, 1, undefined);

    expect(await t.service.sweep()).toBe(2);
    expect(await t.service.sweep()).toBe(0);

    expect([lost, kept, later].map((h) => t.holds.committed(h.id)?.status)).toEqual([
      'expired',
      'expired',
      'active',
    ]);
    expect(counters(t.products.committed(product.id))).toEqual({ available: 9, reserved: 1, sold: 0 });
    // Each hold's hold.created; then one hold.expired each, showing the hold as expired, for its own account.
    expect(t.events.summary()).toEqual([
      ['hold.created', lost.id],
      ['hold.created', kept.id],
      ['hold.created', later.id],
      ['hold.expired', lost.id],
      ['hold.expired', kept.id],
    ]);
    expect(
      t.events.recorded
        .filter((e) => e.type === 'hold.expired')
        .map((e) => [e.accountId, e.data.object.status]),
    ).toEqual([
      [alice.accountId, 'expired'],
      [kept.accountId, 'expired'],
    ]);
  });

  it('the sweep passes by a hold another transaction has locked, and takes it on a later sweep', async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, {
      quantity: 2,
      stock: 2,
      expiresAt: past(t),
    });
    const release = t.db.holdLockElsewhere('holds', hold.id);

    expect(await t.service.sweep()).toBe(0);
    release();
    expect(await t.service.sweep()).toBe(1);
    expect(counters(t.products.committed(product.id))).toEqual({ available: 2, reserved: 0, sold: 0 });
  });

  it('a sweep that meets books it cannot move rolls back whole, and none of its after-commit work runs', async () => {
    const t = await setup();
    // Products are moved in id order: the healthy one first, then the one whose books are wrong.
    const healthy = seedProduct(t.db, {
      id: '00000000-0000-4000-8000-00000000000a',
      totalStock: 2,
      availableStock: 0,
      reservedStock: 2,
    });
    const broken = seedProduct(t.db, { id: 'ffffffff-0000-4000-8000-00000000000b', totalStock: 2 });
    const first = seedHold(t.db, {
      productId: healthy.id,
      accountId: alice.accountId,
      quantity: 2,
      expiresAt: past(t),
    });
    const second = seedHold(t.db, {
      productId: broken.id,
      accountId: alice.accountId,
      quantity: 2,
      expiresAt: past(t),
    });
    await t.productCache.set(healthy);
    await t.soldOut.markSoldOut(healthy.id, 0n);

    await expect(t.service.sweep()).rejects.toThrow('cannot unreserve 2 units: only 0 in reservedStock');

    expect([first, second].map((h) => t.holds.committed(h.id)?.status)).toEqual(['active', 'active']);
    expect(counters(t.products.committed(healthy.id))).toEqual({ available: 0, reserved: 2, sold: 0 });
    expect(t.productCache.entries.has(healthy.id)).toBe(true);
    expect(await t.soldOut.isSoldOut(healthy.id)).toBe(true);
    expect(t.events.recorded).toEqual([]);
  });
});
