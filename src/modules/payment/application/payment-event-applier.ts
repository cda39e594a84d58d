import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../shared/database/after-commit';
import type { Order } from '../../order/domain/order';
import { OrderLifecycleFacade } from '../../order/application/order-lifecycle.facade';
import type { Payment } from '../domain/payment';
import type { InitialPaymentStatus, PaymentStatus } from '../domain/payment-status';
import { decide, type PaymentEvent } from '../domain/payment-event';
import type { PaymentRepository } from '../domain/payment.repository';
import { PAYMENT_REPOSITORY } from '../payment.tokens';
import { PaymentMetrics } from './payment-metrics';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { EventRecorder } from '../../event/application/event-recorder';
import { withPayment } from './order-with-payment';

export interface AppliedEvent {
  status: 'processed' | 'ignored';
  reason: string | null;
  order: Order;
  /** Of the payment the event's money is recorded as, if it is; else of the order's payment, if any. */
  paymentStatus: PaymentStatus | null;
}

/**
 * Applies a provider's payment event to an order locked by the caller, in the caller's
 * transaction: the webhook when the order exists, order creation when the event came first.
 */
@Injectable()
export class PaymentEventApplier {
  constructor(
    private readonly orders: OrderLifecycleFacade,
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository<EntityManager>,
    private readonly metrics: PaymentMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
  ) {}

  async apply(em: EntityManager, event: PaymentEvent, locked: Order): Promise<AppliedEvent> {
    // Whoever records a payment of this order holds its lock, so every one recorded before is seen here.
    const recorded = await this.payments.lockByExternalPaymentId(em, locked.id, event.paymentId);
    const decision = decide(event, {
      status: locked.status,
      amount: locked.amount,
      currency: locked.currency,
      paymentId: locked.paymentId,
      eventPayment: recorded ? (recorded.paysOrder ? 'pays_order' : 'owed_back') : null,
    });
    // Read only when the answer names a payment this event did not record (a late or repeated event).
    const shown = async (order: Order): Promise<PaymentStatus | null> => {
      if (recorded) return recorded.status;
      return order.paymentId ? ((await this.payments.findById(em, order.paymentId))?.status ?? null) : null;
    };
    switch (decision.apply) {
      case 'mark_paid': {
        const payment = await this.recordExternal(em, event, locked, 'succeeded');
        const order = await this.orders.markPaid(em, locked, payment.id);
        this.events.record(em, [
          {
            type: 'order.paid',
            accountId: order.accountId,
            resourceId: order.id,
            resource: withPayment(order, payment),
          },
        ]);
        afterCommit(em, () => this.metrics.payments.inc({ method: 'external' }));
        return { status: 'processed', reason: null, order, paymentStatus: payment.status };
      }
      case 'record_refund_required': {
        const payment = await this.recordExternal(em, event, locked, 'refund_required');
        this.owedBack(em, locked, payment);
        const order = await this.orders.recordPayment(em, locked, payment.id);
        return { status: 'processed', reason: null, order, paymentStatus: payment.status };
      }
      case 'record_surplus': {
        // The order keeps the payment that paid it; this money waits beside it to be returned.
        const payment = await this.recordExternal(em, event, locked, 'refund_required');
        this.owedBack(em, locked, payment);
        return { status: 'processed', reason: null, order: locked, paymentStatus: payment.status };
      }
      case 'cancel': {
        const order = await this.orders.cancel(em, locked);
        return { status: 'processed', reason: null, order, paymentStatus: await shown(order) };
      }
      case 'nothing':
        return {
          status: 'ignored',
          reason: decision.reason,
          order: locked,
          paymentStatus: await shown(locked),
        };
    }
  }

  /** Money that arrived for an order that will not take it: `payment.refund_required`, to the order's account. */
  private owedBack(em: EntityManager, order: Order, payment: Payment): void {
    this.events.record(em, [
      {
        type: 'payment.refund_required',
        accountId: order.accountId,
        resourceId: payment.id,
        resource: payment,
      },
    ]);
  }

  private async recordExternal(
    em: EntityManager,
    event: PaymentEvent,
    order: Order,
    status: InitialPaymentStatus,
  ): Promise<Payment> {
    const now = new Date(this.clock.now());
    const payment: Payment = {
      id: randomUUID(),
      orderId: order.id,
      method: 'external',
      status,
      paysOrder: status === 'succeeded',
      amount: event.amount,
      currency: event.currency,
      walletId: null,
      walletTransactionId: null,
      refundTransactionId: null,
      externalPaymentId: event.paymentId,
      createdAt: now,
      updatedAt: now,
    };
    await this.payments.insert(em, payment);
    return payment;
  }
}
