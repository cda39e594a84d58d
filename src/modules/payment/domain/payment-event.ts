/** A payment provider's event, as received by the webhook and kept in the inbox. */
export type PaymentEventType = 'payment.succeeded' | 'payment.failed';

export interface PaymentEvent {
  type: PaymentEventType;
  paymentId: string;
  amount: bigint;
  currency: string;
}

/** What the decision needs to know of the order the event is about, and of its payment if any. */
export interface OrderForPayment {
  status: 'pending_payment' | 'paid' | 'partially_refunded' | 'cancelled' | 'refunded';
  amount: bigint;
  currency: string;
  /** The provider's id of the payment recorded on the order, when it was paid externally. */
  externalPaymentId: string | null;
  paymentStatus: string | null;
}

export type EventDecision =
  | { apply: 'mark_paid' }
  | { apply: 'cancel' }
  | { apply: 'record_refund_required' }
  | { apply: 'nothing'; reason: string };

/**
 * Order states only move forward, whatever order the events arrive in:
 * - a success pays a pending order; a success for a cancelled order cannot un-cancel it, so the money
 *   is recorded as `refund_required`;
 * - a failure cancels a pending order and changes nothing after payment;
 * - an amount or currency that does not match the order changes nothing.
 */
export function decide(event: PaymentEvent, order: OrderForPayment): EventDecision {
  if (event.currency !== order.currency) return { apply: 'nothing', reason: 'currency_mismatch' };
  if (event.amount !== order.amount) return { apply: 'nothing', reason: 'amount_mismatch' };

  if (event.type === 'payment.succeeded') {
    switch (order.status) {
      case 'pending_payment':
        return { apply: 'mark_paid' };
      case 'cancelled':
        // Once recorded (and maybe settled since), the money of a cancelled order is never recorded again.
        return order.paymentStatus !== null
          ? { apply: 'nothing', reason: 'refund_already_required' }
          : { apply: 'record_refund_required' };
      case 'paid':
      case 'partially_refunded':
        return {
          apply: 'nothing',
          reason: order.externalPaymentId === event.paymentId ? 'already_applied' : 'order_already_paid',
        };
      case 'refunded':
        return { apply: 'nothing', reason: 'order_refunded' };
    }
  }
  return order.status === 'pending_payment'
    ? { apply: 'cancel' }
    : { apply: 'nothing', reason: `order_${order.status}` };
}
