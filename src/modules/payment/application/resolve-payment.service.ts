import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { serviceKey } from '../../wallet/domain/wallet';
import { type Payment, settlementKey } from '../domain/payment';
import { PaymentNotResolvableError } from '../domain/payment.errors';
import { movePayment } from '../domain/payment-status';
import { OrderMoneyUseCase } from './order-money-use-case';

/** Exactly one of `walletId` and `externalReference`. */
export interface ResolvePaymentCommand {
  paymentId: string;
  walletId?: string;
  externalReference?: string;
}

/**
 * Settles the money of a `refund_required` payment (a success that arrived for a cancelled order,
 * or of another payment for an order already paid): credited to a wallet of the order's account in
 * the payment's currency (one ledger credit referencing the order, under a ledger key of the
 * payment's, so at most once), or recorded as returned at the provider. Either way a refund row records it and the payment
 * becomes `refunded`, under the order's and the payment's row locks, so only one of concurrent
 * attempts settles it. A cancelled order shows its payment settled; a paid order keeps showing the
 * payment that paid it, untouched.
 */
@Injectable()
export class ResolvePaymentService extends OrderMoneyUseCase {
  /**
   * Throws NotFoundError, PaymentNotResolvableError, WalletNotEligibleError (a wallet of another
   * account than the order's), CurrencyMismatchError, BalanceLimitExceededError.
   */
  async execute(
    command: ResolvePaymentCommand,
    idempotent: IdempotentRequest<Payment> | undefined,
  ): Promise<Payment> {
    const settled = await this.transaction(async (em) => {
      const found = await this.payments.findById(em, command.paymentId);
      if (!found) throw new NotFoundError('Payment', command.paymentId);
      // Locks as everywhere: the order, then its payment, then the wallet.
      const order = await this.orders.lockOrder(em, found.orderId);
      const payment = (await this.payments.lockById(em, found.id)) as Payment;
      if (payment.status !== 'refund_required')
        throw new PaymentNotResolvableError(payment.id, payment.status);
      let walletTransactionId: string | null = null;
      if (command.walletId !== undefined) {
        const credit = await this.ledger.credit(em, {
          walletId: command.walletId,
          amount: payment.amount,
          reference: { type: 'order', id: payment.orderId },
          description: `Refund of payment ${payment.id} owed back for order ${payment.orderId}`,
          idempotencyKey: serviceKey(settlementKey(payment.id)),
          eligibleAccountId: order.accountId,
          expectedCurrency: payment.currency,
        });
        walletTransactionId = credit.id;
      }
      const now = new Date(this.clock.now());
      await this.payments.insertRefund(em, {
        id: randomUUID(),
        orderId: payment.orderId,
        paymentId: payment.id,
        amount: payment.amount,
        reason: null,
        walletTransactionId,
        externalReference: command.externalReference ?? null,
        // Named by the payment, not by the request: one settlement per payment, and never the
        // request key of a refund of the order's own payment made with the same Idempotency-Key.
        requestKey: settlementKey(payment.id),
        createdAt: now,
      });
      const refunded = movePayment(payment, 'refunded', now);
      await this.payments.recordRefunded(em, payment.id, {
        status: refunded.status,
        refundTransactionId: refunded.refundTransactionId,
        updatedAt: now,
      });
      if (order.paymentId === payment.id) await this.orders.recordSettledPayment(em, order, payment.amount);
      this.events.record(em, [
        { type: 'payment.resolved', accountId: order.accountId, resourceId: payment.id, resource: refunded },
      ]);
      return refunded;
    }, idempotent);
    this.metrics.refunds.inc({
      method: command.walletId !== undefined ? 'settled_to_wallet' : 'settled_external',
    });
    return settled;
  }
}
