import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Caller } from '../../../shared/domain/caller';
import type { OrderView } from '../../order/application/order-view';
import { serviceKey } from '../../wallet/domain/wallet';
import { refundKey, refundRequestKey } from '../domain/payment';
import { movePayment } from '../domain/payment-status';
import { OrderMoneyUseCase } from './order-money-use-case';
import { withPayment } from './order-with-payment';

export interface RefundOrderCommand {
  orderId: string;
  /** Minor units; the whole remainder when undefined. */
  amount?: bigint;
  reason?: string;
  /** The request's Idempotency-Key, scoped to the caller: one refund per key and order. */
  idempotencyKey: string;
  caller: Caller;
}

/**
 * A refund of all or part of a paid order. Refunds add up to at most the payment: the order's row
 * lock serialises them, and each decides on what is left. A wallet payment is credited back to the
 * paying wallet (one `credit` ledger entry referencing the order per refund, under a ledger key
 * derived from the request's Idempotency-Key in the service's own namespace); an external payment
 * is recorded as refunded here, returning that money is the provider's part. Only a full refund
 * returns the order's units to available.
 *
 * Locks, as for a payment: order, payment, wallet, then product (when the refund is full).
 */
@Injectable()
export class RefundOrderService extends OrderMoneyUseCase {
  async execute(
    command: RefundOrderCommand,
    idempotent: IdempotentRequest<OrderView> | undefined,
  ): Promise<OrderView> {
    let method = 'external';
    const requestKey = refundRequestKey(command.caller.accountId, command.idempotencyKey);
    const refunded = await this.transaction(async (em) => {
      const { order, plan } = await this.orders.lockForRefund(em, command.orderId, command.amount);
      // The payment the order shows is the one that paid it: any other of its payments is money owed back.
      const payment = order.paymentId && (await this.payments.lockById(em, order.paymentId));
      if (!payment) throw new Error(`order ${command.orderId} is paid but has no payment`);
      method = payment.method;
      const description = command.reason
        ? `Refund of order ${command.orderId}: ${command.reason}`
        : `Refund of order ${command.orderId}`;
      let walletTransactionId: string | null = null;
      if (payment.method === 'wallet' && payment.walletId) {
        const credit = await this.ledger.credit(em, {
          walletId: payment.walletId,
          amount: plan.amount,
          reference: { type: 'order', id: command.orderId },
          description,
          idempotencyKey: serviceKey(refundKey(command.orderId, requestKey)),
        });
        // This request's refund was made before (its key's stored answer is gone): not a second one.
        if (credit.replayed) return withPayment(order, payment);
        walletTransactionId = credit.id;
      }
      const now = new Date(this.clock.now());
      // Refused (a DomainError) unless the payment may move so: its status is written here only.
      const moved = movePayment(payment, plan.status, now);
      const recorded = await this.payments.insertRefund(em, {
        id: randomUUID(),
        orderId: command.orderId,
        paymentId: payment.id,
        amount: plan.amount,
        reason: command.reason ?? null,
        walletTransactionId,
        externalReference: null,
        requestKey,
        createdAt: now,
      });
      if (!recorded) return withPayment(order, payment);
      const changed = { ...moved, refundTransactionId: walletTransactionId ?? payment.refundTransactionId };
      await this.payments.recordRefunded(em, payment.id, {
        status: changed.status,
        refundTransactionId: changed.refundTransactionId,
        updatedAt: changed.updatedAt,
      });
      const refunded = withPayment(await this.orders.recordRefund(em, order, plan), changed);
      this.events.record(em, [
        {
          type: 'order.refunded',
          accountId: refunded.accountId,
          resourceId: refunded.id,
          resource: refunded,
        },
      ]);
      return refunded;
    }, idempotent);
    this.metrics.refunds.inc({ method });
    return refunded;
  }
}
