import type { Traveler, TravelType } from '../../provider/domain/travel-provider';

export type BookingStatus = 'pending' | 'confirmed' | 'failed';

/**
 * A travel booking paid from a wallet. It is debited when created (`pending`); the provider call then
 * either confirms it or fails it, and a failed booking is refunded in the same step. Never backwards.
 */
export interface Booking {
  id: string;
  accountId: string;
  type: TravelType;
  provider: string;
  offerId: string;
  walletId: string;
  status: BookingStatus;
  amount: bigint;
  currency: string;
  walletTransactionId: string;
  refundTransactionId: string | null;
  confirmationCode: string | null;
  providerBookingId: string | null;
  failureReason: string | null;
  traveler: Traveler;
  idempotencyKey: string;
  /** An earlier provider call may have booked without telling us: look it up before booking again. */
  outcomeUnknown: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export class BookingStateError extends Error {}

export function confirmBooking(
  booking: Booking,
  confirmation: { confirmationCode: string; providerBookingId: string },
  now: Date,
): Booking {
  if (booking.status !== 'pending') throw new BookingStateError(`booking ${booking.id} is ${booking.status}`);
  return { ...booking, status: 'confirmed', ...confirmation, updatedAt: now };
}

export function failBooking(
  booking: Booking,
  reason: string,
  refundTransactionId: string,
  now: Date,
): Booking {
  if (booking.status !== 'pending') throw new BookingStateError(`booking ${booking.id} is ${booking.status}`);
  return {
    ...booking,
    status: 'failed',
    failureReason: reason.slice(0, 500),
    refundTransactionId,
    updatedAt: now,
  };
}

/** Ledger idempotency keys: one debit and at most one refund per booking, enforced by the ledger. */
export const refundKey = (bookingId: string) => `booking-refund:${bookingId}`;
