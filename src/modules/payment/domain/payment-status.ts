import { PaymentTransitionRefusedError } from './payment.errors';

export const PAYMENT_METHODS = ['wallet', 'external'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * `refund_required`: money owed back, that arrived for an order already cancelled or already paid
 * by another payment; `refunded` once settled. A payment that paid its order goes
 * succeeded -> (partially_refunded ->) refunded as its order is refunded.
 */
export const PAYMENT_STATUSES = ['succeeded', 'refund_required', 'partially_refunded', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What a payment is recorded as: the order's charge, or money to return. */
export type InitialPaymentStatus = Extract<PaymentStatus, 'succeeded' | 'refund_required'>;

/**
 * Every move of a payment's status, and the only ones. A charge is refunded in parts or at once
 * (a partially refunded one takes further parts); money owed back is settled whole, once. Nothing
 * leaves `refunded`.
 */
const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  succeeded: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refund_required: ['refunded'],
  refunded: [],
};

export function canMovePayment(from: PaymentStatus, to: PaymentStatus): boolean {
  return PAYMENT_TRANSITIONS[from].includes(to);
}

/** The payment moved to `to` at `now`; PaymentTransitionRefusedError when the table does not allow it. */
export function movePayment<P extends { id: string; status: PaymentStatus; updatedAt: Date }>(
  payment: P,
  to: PaymentStatus,
  now: Date,
): P {
  if (!canMovePayment(payment.status, to))
    throw new PaymentTransitionRefusedError(payment.id, payment.status, to);
  return { ...payment, status: to, updatedAt: now };
}
