import type { PricedForm, Traveler, TravelType } from '../../provider/domain/travel-provider';

export const BOOKING_STATUSES = ['pending', 'confirmed', 'failed', 'action_required', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/**
 * A travel booking paid from a wallet. It is debited when created (`pending`); the provider call then
 * confirms it, or fails it and refunds the debit in the same step. When the provider may have booked
 * but cannot say so, it waits as `action_required` for a person; a confirmed booking may be
 * `cancelled` (and refunded). Never backwards.
 */
export interface Booking {
  id: string;
  accountId: string;
  type: TravelType;
  provider: string;
  offerId: string;
  walletId: string;
  status: BookingStatus;
  /** What the wallet paid (the debit, less any price difference refunded). */
  amount: bigint;
  currency: string;
  walletTransactionId: string;
  refundTransactionId: string | null;
  confirmationCode: string | null;
  providerBookingId: string | null;
  failureReason: string | null;
  /** The lead traveller (the booker) first, then one per further passenger or guest. */
  travelers: Traveler[];
  /** The provider's priced offer that the debit paid for: what the job books, exactly. */
  priced: PricedForm;
  idempotencyKey: string;
  /** An earlier provider call may have booked without telling us: look it up before booking again. */
  outcomeUnknown: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export class BookingStateError extends Error {}

function requireStatus(booking: Booking, status: BookingStatus): void {
  if (booking.status !== status) throw new BookingStateError(`booking ${booking.id} is ${booking.status}`);
}

/** From `pending` or `action_required` (an operator found it booked). */
export function confirmBooking(
  booking: Booking,
  confirmation: { confirmationCode: string; providerBookingId: string; amount?: bigint },
  now: Date,
): Booking {
  if (booking.status !== 'pending' && booking.status !== 'action_required') requireStatus(booking, 'pending');
  return {
    ...booking,
    status: 'confirmed',
    confirmationCode: confirmation.confirmationCode,
    providerBookingId: confirmation.providerBookingId,
    amount: confirmation.amount ?? booking.amount,
    failureReason: null,
    updatedAt: now,
  };
}

/** From `pending` or `action_required`; the refund is recorded with it. */
export function failBooking(
  booking: Booking,
  reason: string,
  refundTransactionId: string,
  now: Date,
): Booking {
  if (booking.status !== 'pending' && booking.status !== 'action_required') requireStatus(booking, 'pending');
  return {
    ...booking,
    status: 'failed',
    failureReason: reason.slice(0, 500),
    refundTransactionId,
    updatedAt: now,
  };
}

/**
 * Nothing is refunded or booked again on its own: the provider may have booked and cannot say
 * (pending), or cancelled a confirmed booking whose refund then failed (confirmed).
 */
export function parkBooking(booking: Booking, reason: string, now: Date): Booking {
  if (booking.status !== 'confirmed') requireStatus(booking, 'pending');
  return {
    ...booking,
    status: 'action_required',
    confirmationCode: null,
    failureReason: reason.slice(0, 500),
    updatedAt: now,
  };
}

export function cancelBooking(booking: Booking, refundTransactionId: string, now: Date): Booking {
  requireStatus(booking, 'confirmed');
  return { ...booking, status: 'cancelled', refundTransactionId, updatedAt: now };
}

/**
 * Ledger idempotency keys, enforced by the ledger: one debit, at most one refund of what the booking
 * cost (failed or cancelled: never both, as neither leaves its state), and at most one refund of a
 * price difference.
 */
export const refundKey = (bookingId: string) => `booking-refund:${bookingId}`;
export const differenceRefundKey = (bookingId: string) => `booking-refund:${bookingId}:price-difference`;

/** `failure_reason` of a booking the provider made at more than the debit, then cancelled. */
export const PRICE_CHANGED = 'price_changed';
