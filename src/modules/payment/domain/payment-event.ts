/** A payment provider's event, as received by the webhook and kept in the inbox. */
export type PaymentEventType = 'payment.succeeded' | 'payment.failed';

export interface PaymentEvent {
  type: PaymentEventType;
  paymentId: string;
  amount: bigint;
  currency: string;
}

/** What the decision needs to know of the order the event is about, and of its payments. */
export interface OrderForPayment {
  status: 'pending_payment' | 'paid' | 'partially_refunded' | 'cancelled' | 'refunded';
  amount: bigint;
  currency: string;
  /** The id of the payment the order shows, if any. */
  paymentId: string | null;
  /**
   * How the event's payment (by the provider's id) is already recorded on this order: as the
   * payment that paid it, as money owed back, or not at all.
   */
  eventPayment: 'pays_order' | 'owed_back' | null;
}

export type EventDecision =
  | { apply: 'mark_paid' }
  | { apply: 'cancel' }
  | { apply: 'record_refund_required' }
  | { apply: 'record_surplus' }
  | { apply: 'nothing'; reason: string };

/**
 * Order states only move forward, whatever order the events arrive in:
 * - a success pays a pending order; a success for a cancelled order cannot un-cancel it, so the money
 *   is recorded as `refund_required` on the order;
 * - a success of another payment for an order already paid (refunded since, or not), or for a
 *   cancelled order that already shows money owed back, is money paid twice: it is recorded as a
 *   surplus, `refund_required` beside the payment the order keeps showing;
 * - a payment is recorded on an order once: its repeated success changes nothing;
 * - a failure cancels a pending order and changes nothing after payment;
 * - an amount or currency that does not match the order changes nothing.
 */
export function decide(event: PaymentEvent, order: OrderForPayment): EventDecision {
  if (event.currency !== order.currency) return { apply: 'nothing', reason: 'currency_mismatch' };
  if (event.amount !== order.amount) return { apply: 'nothing', reason: 'amount_mismatch' };

  if (event.type === 'payment.succeeded') {
    if (order.eventPayment === 'pays_order') return { apply: 'nothing', reason: 'already_applied' };
    if (order.eventPayment === 'owed_back') return { apply: 'nothing', reason: 'refund_already_required' };
    switch (order.status) {
      case 'pending_payment':
        return { apply: 'mark_paid' };
      case 'cancelled':
        // The first money for a cancelled order is the payment it shows; money of any other provider
        // payment after it waits beside that one, to be returned too.
        return order.paymentId === null ? { apply: 'record_refund_required' } : { apply: 'record_surplus' };
      case 'paid':
      case 'partially_refunded':
      case 'refunded':
        return { apply: 'record_surplus' };
    }
  }
  return order.status === 'pending_payment'
    ? { apply: 'cancel' }
    : { apply: 'nothing', reason: `order_${order.status}` };
}
