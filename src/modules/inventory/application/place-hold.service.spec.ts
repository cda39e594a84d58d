import { counters, customer } from '../../../../test/support/in-memory/fixtures';
import { seedHold, seedProduct } from '../../../../test/support/in-memory/inventory';
import { seedOrder } from '../../../../test/support/in-memory/order';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { DomainError } from '../../../shared/domain/domain-error';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { IdempotentReplay } from '../../../shared/idempotency/idempotency.errors';
import type { Hold } from '../domain/hold';
import { InventoryMetrics } from './inventory-metrics';
import { PlaceHoldService } from './place-hold.service';

const HOLD_TTL_SECONDS = 90;
const alice = customer('Alice');
const bob = customer('Bob');

async function setup() {
  const t = await inMemoryModule([PlaceHoldService, InventoryMetrics], { HOLD_TTL_SECONDS });
  return { ...t, service: t.module.get(PlaceHoldService) };
}

const codeOf = (result: PromiseSettledResult<unknown>) =>
  result.status === 'rejected' ? (result.reason as DomainError).code : 'ok';

describe('PlaceHoldService', () => {
  it('moves the units from available to reserved under an active hold that lasts HOLD_TTL_SECONDS', async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 5 });
    await t.productCache.set(product);

    const hold = await t.service.execute(alice, product.id, 2, undefined);

    expect(hold).toMatchObject({
      productId: product.id,
      accountId: alice.accountId,
      quantity: 2,
      status: 'active',
    });
    expect(hold.expiresAt.getTime() - hold.createdAt.getTime()).toBe(HOLD_TTL_SECONDS * 1000);
    expect(t.holds.committed(hold.id)).toEqual(hold);
    expect(counters(t.products.committed(product.id))).toEqual({ available: 3, reserved: 2, sold: 0 });
    expect(t.products.committed(product.id)?.stockVersion).toBe(1n);
    expect(t.productCache.entries.has(product.id)).toBe(false);
    expect(t.holdExpiry.jobs()).toEqual([
      { jobId: `hold-expiry:${hold.id}`, ids: [hold.id], runAt: expect.any(Number) },
    ]);
    expect(t.soldOut.markOf(product.id)).toBeUndefined();
  });

  it('refuses a product marked sold out with insufficient_stock, without a transaction or a read of its row', async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 5 });
    await t.soldOut.markSoldOut(product.id, 0n);
    const lockById = jest.spyOn(t.products, 'lockById');
    const findById = jest.spyOn(t.products, 'findById');

    await expect(t.service.execute(alice, product.id, 1, undefined)).rejects.toMatchObject({
      code: 'insufficient_stock',
    });
    // Not even an unknown product is looked up once it is marked.
    await t.soldOut.markSoldOut('00000000-0000-4000-8000-000000000000', 0n);
    await expect(
      t.service.execute(alice, '00000000-0000-4000-8000-000000000000', 1, undefined),
    ).rejects.toMatchObject({
      code: 'insufficient_stock',
    });

    expect(lockById).not.toHaveBeenCalled();
    expect(findById).not.toHaveBeenCalled();
    expect(t.db.counts).toEqual({ commits: 0, rollbacks: 0 });
    expect(counters(t.products.committed(product.id))).toEqual({ available: 5, reserved: 0, sold: 0 });
  });

  it('the batch that takes the last unit marks the product sold out at its new stock version, after its commit', async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 2 });
    const mark = t.soldOut.markSoldOut.bind(t.soldOut);
    const committedWhenMarked: Array<number | undefined> = [];
    jest.spyOn(t.soldOut, 'markSoldOut').mockImplementation(async (id, version) => {
      committedWhenMarked.push(t.products.committed(id)?.availableStock);
      return mark(id, version);
    });

    await t.service.execute(alice, product.id, 2, undefined);

    expect(committedWhenMarked).toEqual([0]);
    expect(t.soldOut.markOf(product.id)).toBe(1n);
    await expect(t.service.execute(bob, product.id, 1, undefined)).rejects.toMatchObject({
      code: 'insufficient_stock',
    });
    expect(t.db.counts.commits).toBe(1);
  });

  it('more units than are available is insufficient_stock: nothing reserved, no hold, nothing scheduled', async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 3 });

    await expect(t.service.execute(alice, product.id, 4, undefined)).rejects.toMatchObject({
      code: 'insufficient_stock',
    });

    expect(counters(t.products.committed(product.id))).toEqual({ available: 3, reserved: 0, sold: 0 });
    expect(t.products.committed(product.id)?.stockVersion).toBe(0n);
    expect(t.holdExpiry.jobs()).toEqual([]);
    expect(t.soldOut.markOf(product.id)).toBeUndefined();
  });

  it('of five holds of one unit on a stock of three at once, exactly three are placed', async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 3 });
    const callers = [customer(), customer(), customer(), customer(), customer()];

    const results = await Promise.allSettled(
      callers.map((c) => t.service.execute(c, product.id, 1, undefined)),
    );

    expect(results.map(codeOf).sort()).toEqual([
      'insufficient_stock',
      'insufficient_stock',
      'ok',
      'ok',
      'ok',
    ]);
    // Each caller placed at most its own hold, and the placed ones are exactly the holds stored.
    const placed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(new Set(placed.map((h) => h.accountId)).size).toBe(3);
    expect(placed.map((h) => t.holds.committed(h.id))).toEqual(placed);
    expect(counters(t.products.committed(product.id))).toEqual({ available: 0, reserved: 3, sold: 0 });
    // One delayed expiry job for the batch's three holds, named after the first.
    expect(t.holdExpiry.jobs()).toEqual([
      { jobId: `hold-expiry:${placed[0].id}`, ids: placed.map((h) => h.id), runAt: expect.any(Number) },
    ]);
    // Sold out at the stock version of the one batch.
    expect(t.soldOut.markOf(product.id)).toBe(1n);
    // All five arrived before the first batch formed: one transaction decided them (group commit).
    expect(t.db.counts).toEqual({ commits: 1, rollbacks: 0 });
  });

  it("max_per_account counts the account's active holds and pending orders; holds past their deadline do not count", async () => {
    const t = await setup();
    const product = seedProduct(t.db, {
      totalStock: 20,
      availableStock: 15,
      reservedStock: 5,
      maxPerAccount: 4,
    });
    seedHold(t.db, { productId: product.id, accountId: alice.accountId, quantity: 1 });
    const consumed = seedHold(t.db, {
      productId: product.id,
      accountId: alice.accountId,
      quantity: 2,
      status: 'consumed',
    });
    seedOrder(t.db, { accountId: alice.accountId, holdId: consumed.id, productId: product.id, quantity: 2 });
    // Active in the row, but past its deadline: the sweeper has not come yet.
    seedHold(t.db, {
      productId: product.id,
      accountId: alice.accountId,
      quantity: 2,
      expiresAt: new Date(t.clock.now() - 1000),
    });

    await expect(t.service.execute(alice, product.id, 2, undefined)).rejects.toMatchObject({
      code: 'limit_exceeded',
    });
    const last = await t.service.execute(alice, product.id, 1, undefined);
    await expect(t.service.execute(alice, product.id, 1, undefined)).rejects.toMatchObject({
      code: 'limit_exceeded',
    });
    const other = await t.service.execute(bob, product.id, 4, undefined);

    expect([last.quantity, other.quantity]).toEqual([1, 4]);
    expect(counters(t.products.committed(product.id))).toEqual({ available: 10, reserved: 10, sold: 0 });
  });

  it('an unknown product is not_found and nothing is scheduled', async () => {
    const t = await setup();
    await expect(
      t.service.execute(alice, '00000000-0000-4000-8000-000000000001', 1, undefined),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(t.holdExpiry.jobs()).toEqual([]);
  });

  it("a repeated Idempotency-Key replays the first hold's answer and reserves nothing more", async () => {
    const t = await setup();
    const product = seedProduct(t.db, { totalStock: 5 });
    const request = (): IdempotentRequest<Hold> => ({
      scope: alice.accountId,
      key: 'hold-1',
      fingerprint: 'f'.repeat(64),
      status: 201,
      present: (hold) => ({ id: hold.id }),
      problem: (error: DomainError) => ({ status: 409, body: { code: error.code } }),
      redact: (body) => body,
    });
    const place = () => t.service.execute(alice, product.id, 2, request());

    const first = await place();
    const replay = await place().catch((error: unknown) => error);

    expect(replay).toBeInstanceOf(IdempotentReplay);
    expect((replay as IdempotentReplay).response).toEqual({ status: 201, body: { id: first.id } });
    expect(t.idempotency.answerOf(alice.accountId, 'hold-1')).toEqual({
      status: 201,
      body: { id: first.id },
    });
    expect(counters(t.products.committed(product.id))).toEqual({ available: 3, reserved: 2, sold: 0 });
    expect(t.holdExpiry.jobs()).toHaveLength(1);
  });
});
