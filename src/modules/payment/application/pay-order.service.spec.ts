import { admin, customer, seedPlacedOrder } from '../../../../test/support/in-memory/fixtures';
import { orderPaymentWorld } from '../../../../test/support/in-memory/order-payment-world';
import { seedWallet } from '../../../../test/support/in-memory/wallet';
import { PAYMENTS } from '../../../../test/support/in-memory/payment';
import type { DomainError } from '../../../shared/domain/domain-error';
import { AuthorizeWalletService } from '../../wallet/application/authorize-wallet.service';
import type { AuthorizationResult } from '../../wallet/application/wallet-ledger.facade';
import { WalletOperations } from '../../wallet/application/wallet-operations';
import type { Payment } from '../domain/payment';
import { PayOrderService } from './pay-order.service';

const setup = (order: Parameters<typeof seedPlacedOrder>[2] = {}) => orderPaymentWorld([], order);

describe('PayOrderService', () => {
  it("debits the owner's wallet by the order's amount, records the payment and moves the units to sold, together", async () => {
    const t = await setup();

    const paid = await t.pay();

    const [debit] = t.wallets.ledger(t.wallet.id).slice(1);
    expect(debit).toMatchObject({
      type: 'debit',
      amount: 3000n,
      reference: { type: 'order', id: t.order.id },
      idempotencyKey: { scope: 'service', key: `order-payment:${t.order.id}` },
    });
    const [payment] = t.payments.paymentsOf(t.order.id);
    expect(payment).toMatchObject({
      method: 'wallet',
      status: 'succeeded',
      paysOrder: true,
      amount: 3000n,
      walletId: t.wallet.id,
      walletTransactionId: debit.id,
    });
    expect(paid).toMatchObject({
      status: 'paid',
      payment: {
        id: payment.id,
        method: 'wallet',
        status: 'succeeded',
        walletTransactionId: debit.id,
        amount: 3000n,
      },
    });
    // The answer composed from the payment in hand is what a read of the order's view finds.
    expect(await t.orders.findView(t.order.id)).toEqual(paid);
    expect(t.orders.committed(t.order.id)?.paymentId).toBe(payment.id);
    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(7_000n);
    expect(t.stock()).toEqual({ available: 8, reserved: 0, sold: 2 });
  });

  it('an order is charged once: paying it again is order_not_payable, and so is the loser of two payments at once', async () => {
    const t = await setup();
    const results = await Promise.allSettled([t.pay(), t.pay()]);
    await expect(t.pay()).rejects.toMatchObject({ code: 'order_not_payable' });

    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as DomainError).code))).toEqual([
      'ok',
      'order_not_payable',
    ]);
    expect(t.payments.paymentsOf(t.order.id)).toHaveLength(1);
    expect(t.wallets.ledger(t.wallet.id).filter((e) => e.type === 'debit')).toHaveLength(1);
    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(7_000n);
  });

  it("someone else's order is not_found, the admin's attempt too: only the owner pays", async () => {
    const t = await setup();
    const bob = customer('Bob');
    const bobs = seedWallet(t.db, { accountId: bob.accountId, currency: 'USD', balance: 10_000n });

    await expect(t.pay(bobs.id, bob)).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.pay(t.wallet.id, admin())).rejects.toMatchObject({ code: 'not_found' });
    expect(t.orders.committed(t.order.id)?.status).toBe('pending_payment');
  });

  it('a wallet of another account is not_found, one in another currency currency_mismatch, and nothing moves', async () => {
    const t = await setup();
    const bobs = seedWallet(t.db, {
      accountId: customer('Bob').accountId,
      currency: 'USD',
      balance: 10_000n,
    });
    const euros = seedWallet(t.db, { accountId: t.alice.accountId, currency: 'EUR', balance: 10_000n });

    await expect(t.pay(bobs.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.pay(euros.id)).rejects.toMatchObject({ code: 'currency_mismatch' });

    expect([bobs, euros].map((w) => t.wallets.committed(w.id)?.balance)).toEqual([10_000n, 10_000n]);
    expect(t.orders.committed(t.order.id)).toMatchObject({ status: 'pending_payment', paymentId: null });
    expect(t.payments.paymentsOf(t.order.id)).toEqual([]);
  });

  it('too little money is insufficient_funds: the order stays pending and its units reserved', async () => {
    const t = await setup({ quantity: 2, unitPrice: 6_000n });

    await expect(t.pay()).rejects.toMatchObject({ code: 'insufficient_funds' });

    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(10_000n);
    expect(t.orders.committed(t.order.id)?.status).toBe('pending_payment');
    expect(t.stock()).toEqual({ available: 8, reserved: 2, sold: 0 });
  });

  it('an order past its payment deadline is order_not_payable even before the sweeper cancels it', async () => {
    const t = await setup();
    t.clock.advance(t.order.paymentDueAt.getTime() - t.clock.now());

    await expect(t.pay()).rejects.toMatchObject({ code: 'order_not_payable' });

    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(10_000n);
  });

  it('a cancelled order is order_not_payable', async () => {
    const t = await setup({ status: 'cancelled' });
    await expect(t.pay()).rejects.toMatchObject({ code: 'order_not_payable' });
    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(10_000n);
  });

  describe('from an authorization', () => {
    const authorized = async (amount: bigint) => {
      const t = await orderPaymentWorld([AuthorizeWalletService, WalletOperations]);
      const held: AuthorizationResult = await t.module
        .get(AuthorizeWalletService)
        .execute({ walletId: t.wallet.id, amount, idempotencyKey: 'hold-1', caller: t.alice }, undefined);
      const payWith = (authorizationId = held.authorization.id) =>
        t.module
          .get(PayOrderService)
          .execute({ orderId: t.order.id, authorizationId, caller: t.alice }, undefined);
      return { ...t, held: held.authorization, payWith };
    };

    it("captures the order's amount, releases the rest, and pays the order, together", async () => {
      const t = await authorized(5_000n);

      const paid = await t.payWith();

      const [, capture] = t.wallets.ledger(t.wallet.id);
      expect(capture).toMatchObject({
        type: 'debit',
        amount: 3000n,
        reference: { type: 'authorization', id: t.held.id },
      });
      expect(paid).toMatchObject({
        status: 'paid',
        payment: { walletTransactionId: capture.id, amount: 3000n },
      });
      expect(await t.wallets.findAuthorizationById(t.held.id)).toMatchObject({
        status: 'captured',
        capturedAmount: 3000n,
      });
      expect(t.wallets.committed(t.wallet.id)).toMatchObject({ balance: 7_000n, held: 0n });
      expect(t.stock()).toEqual({ available: 8, reserved: 0, sold: 2 });
      expect(t.events.summary()).toEqual([
        ['authorization.created', t.held.id],
        ['wallet.debited', t.wallet.id],
        ['authorization.captured', t.held.id],
        ['order.paid', t.order.id],
      ]);
    });

    it('a write that fails after the capture rolls the capture back with the order: both as they were', async () => {
      const t = await authorized(5_000n);
      // Another payment already pays the order: the payment's insert breaks one-charge-per-order.
      const now = new Date(t.clock.now());
      t.db.seed<Payment>(PAYMENTS, 'p0', {
        id: 'p0',
        orderId: t.order.id,
        method: 'external',
        status: 'succeeded',
        paysOrder: true,
        amount: 3000n,
        currency: 'USD',
        walletId: null,
        walletTransactionId: null,
        refundTransactionId: null,
        externalPaymentId: 'ext-1',
        createdAt: now,
        updatedAt: now,
      });

      await expect(t.payWith()).rejects.toMatchObject({ constraint: 'payments_one_charge_per_order' });

      expect(await t.wallets.findAuthorizationById(t.held.id)).toMatchObject({
        status: 'pending',
        capturedAmount: 0n,
      });
      expect(t.wallets.committed(t.wallet.id)).toMatchObject({ balance: 10_000n, held: 5_000n });
      expect(t.wallets.ledger(t.wallet.id)).toHaveLength(1);
      expect(t.orders.committed(t.order.id)).toMatchObject({ status: 'pending_payment', paymentId: null });
      expect(t.stock()).toEqual({ available: 8, reserved: 2, sold: 0 });
      // Nor its events: only the authorization's creation committed.
      expect(t.events.summary()).toEqual([['authorization.created', t.held.id]]);
    });

    it('an authorization smaller than the order is amount_exceeds_authorization; an unknown one not_found', async () => {
      const t = await authorized(2_999n);
      await expect(t.payWith()).rejects.toMatchObject({ code: 'amount_exceeds_authorization' });
      expect(t.orders.committed(t.order.id)?.status).toBe('pending_payment');
      expect(t.wallets.committed(t.wallet.id)).toMatchObject({ balance: 10_000n, held: 2_999n });

      await expect(t.payWith('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
        code: 'not_found',
      });
    });
  });
});
