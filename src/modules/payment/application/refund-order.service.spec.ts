import { admin, seedPlacedOrder } from '../../../../test/support/in-memory/fixtures';
import { orderPaymentWorld } from '../../../../test/support/in-memory/order-payment-world';
import { RefundOrderService, type RefundOrderCommand } from './refund-order.service';

const operator = admin();

/** A paid order of 2 × 1500 from a wallet that had 10000. */
async function setup() {
  const t = await orderPaymentWorld([RefundOrderService]);
  await t.pay();
  const service = t.module.get(RefundOrderService);
  const refund = (command: Partial<RefundOrderCommand> = {}) =>
    service.execute(
      {
        orderId: t.order.id,
        idempotencyKey: `refund-${Math.random()}`,
        caller: operator,
        ...command,
      },
      undefined,
    );
  const balance = () => t.wallets.committed(t.wallet.id)?.balance;
  const credits = () =>
    t.wallets.ledger(t.wallet.id).filter((e) => e.type === 'credit' && e.reference !== null);
  return { ...t, refund, balance, credits, service };
}

describe('RefundOrderService', () => {
  it('partial refunds add up; only the one that completes them returns the units', async () => {
    const t = await setup();

    const part = await t.refund({ amount: 1000n, reason: 'damaged box' });
    expect(part).toMatchObject({ status: 'partially_refunded', refundedAmount: 1000n });
    expect(part.payment?.status).toBe('partially_refunded');
    expect(t.payments.paymentsOf(t.order.id).map((p) => p.status)).toEqual(['partially_refunded']);
    expect(t.stock()).toEqual({ available: 8, reserved: 0, sold: 2 });

    const rest = await t.refund();
    expect(rest).toMatchObject({ status: 'refunded', refundedAmount: 3000n });
    expect(rest.payment?.status).toBe('refunded');
    expect(t.payments.paymentsOf(t.order.id).map((p) => p.status)).toEqual(['refunded']);
    expect(t.stock()).toEqual({ available: 10, reserved: 0, sold: 0 });

    expect(t.credits().map((c) => [c.amount, c.reference?.id, c.description])).toEqual([
      [1000n, t.order.id, `Refund of order ${t.order.id}: damaged box`],
      [2000n, t.order.id, `Refund of order ${t.order.id}`],
    ]);
    expect(t.balance()).toBe(10_000n);
    expect(t.payments.refundsOf(t.order.id).map((r) => r.amount)).toEqual([1000n, 2000n]);
    expect(t.payments.paymentsOf(t.order.id)[0]).toMatchObject({ status: 'refunded' });
  });

  it('more than is left is refund_exceeds_payment, and nothing moves', async () => {
    const t = await setup();
    await t.refund({ amount: 2500n });

    await expect(t.refund({ amount: 501n })).rejects.toMatchObject({ code: 'refund_exceeds_payment' });

    expect(t.orders.committed(t.order.id)).toMatchObject({
      status: 'partially_refunded',
      refundedAmount: 2500n,
    });
    expect(t.balance()).toBe(9_500n);
  });

  it('one Idempotency-Key makes one refund, however often it is sent', async () => {
    const t = await setup();
    const first = await t.refund({ amount: 1000n, idempotencyKey: 'refund-once' });

    const again = await t.refund({ amount: 1000n, idempotencyKey: 'refund-once' });

    expect(again).toMatchObject({ status: 'partially_refunded', refundedAmount: 1000n });
    expect(again.updatedAt).toEqual(first.updatedAt);
    expect(t.credits()).toHaveLength(1);
    expect(t.payments.refundsOf(t.order.id)).toHaveLength(1);
    expect(t.balance()).toBe(8_000n);
  });

  it('an unpaid order, and one refunded in full, are order_not_refundable', async () => {
    const t = await setup();
    const pending = seedPlacedOrder(t.db, t.alice.accountId).order;
    await t.refund();

    await expect(t.refund({ orderId: pending.id })).rejects.toMatchObject({ code: 'order_not_refundable' });
    await expect(t.refund()).rejects.toMatchObject({ code: 'order_not_refundable' });
    expect(t.credits()).toHaveLength(1);
  });
});
