import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Caller } from '../../../shared/domain/caller';
import type { OrderView } from '../../order/application/order-view';
import { serviceKey } from '../../wallet/domain/wallet';
import { chargeKey, type Payment } from '../domain/payment';
import { OrderMoneyUseCase } from './order-money-use-case';
import { withPayment } from './order-with-payment';

/** Pay from a wallet (a debit of the order's amount) or from an authorization (a capture of it). */
export type PayOrderCommand = { orderId: string; caller: Caller } & (
  { walletId: string } | { authorizationId: string }
);

/**
 * The wallet debit (or the capture of an authorization), the payment record and the order's move to
 * paid (units reserved -> sold) commit together. Rows are locked order first, then wallet, then
 * product, as everywhere else. Never two charges: the order lock serialises payers, only a pending
 * order can be paid, the ledger takes one debit per (wallet, order) and one capture per
 * authorization, and an order has at most one payment that pays it.
 */
@Injectable()
export class PayOrderService extends OrderMoneyUseCase {
  async execute(
    command: PayOrderCommand,
    idempotent: IdempotentRequest<OrderView> | undefined,
  ): Promise<OrderView> {
    const paid = await this.transaction(async (em) => {
      const order = await this.orders.lockForPayment(em, command.caller, command.orderId);

      // The ledger locks the wallet and refuses one of another account (not_found) or currency.
      const debit =
        'authorizationId' in command
          ? (
              await this.ledger.capture(em, {
                authorizationId: command.authorizationId,
                amount: order.amount,
                description: `Payment for order ${order.id}`,
                expectedAccountId: order.accountId,
                expectedCurrency: order.currency,
              })
            ).transaction
          : await this.ledger.debit(em, {
              walletId: command.walletId,
              amount: order.amount,
              reference: { type: 'order', id: order.id },
              description: `Payment for order ${order.id}`,
              idempotencyKey: serviceKey(chargeKey(order.id)),
              expectedAccountId: order.accountId,
              expectedCurrency: order.currency,
            });
      const now = new Date(this.clock.now());
      const payment: Payment = {
        id: randomUUID(),
        orderId: order.id,
        method: 'wallet',
        status: 'succeeded',
        paysOrder: true,
        amount: order.amount,
        currency: order.currency,
        walletId: debit.walletId,
        walletTransactionId: debit.id,
        refundTransactionId: null,
        externalPaymentId: null,
        createdAt: now,
        updatedAt: now,
      };
      await this.payments.insert(em, payment);
      const paid = withPayment(await this.orders.markPaid(em, order, payment.id), payment);
      this.events.record(em, [
        { type: 'order.paid', accountId: paid.accountId, resourceId: paid.id, resource: paid },
      ]);
      return paid;
    }, idempotent);
    this.metrics.payments.inc({ method: 'wallet' });
    return paid;
  }
}
