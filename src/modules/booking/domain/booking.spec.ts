import { type Booking, BookingStateError, confirmBooking, failBooking } from './booking';

const pending: Booking = {
  id: 'b1',
  accountId: 'a1',
  type: 'flight',
  provider: 'Amadeus',
  offerId: 'o1',
  walletId: 'w1',
  status: 'pending',
  amount: 1000n,
  currency: 'EUR',
  walletTransactionId: 't1',
  refundTransactionId: null,
  confirmationCode: null,
  providerBookingId: null,
  failureReason: null,
  travelers: [{ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' }],
  priced: '{}',
  idempotencyKey: 'k1',
  outcomeUnknown: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};
const now = new Date(1000);

describe('booking lifecycle', () => {
  it('a pending booking is confirmed with the provider code', () => {
    expect(
      confirmBooking(pending, { confirmationCode: 'ABC123', providerBookingId: 'p1' }, now),
    ).toMatchObject({
      status: 'confirmed',
      confirmationCode: 'ABC123',
      providerBookingId: 'p1',
      updatedAt: now,
    });
  });

  it('a pending booking fails with its reason and refund', () => {
    expect(failBooking(pending, 'declined', 't2', now)).toMatchObject({
      status: 'failed',
      failureReason: 'declined',
      refundTransactionId: 't2',
    });
  });

  it('never moves backwards or twice', () => {
    const confirmed = confirmBooking(pending, { confirmationCode: 'A', providerBookingId: 'p' }, now);
    const failed = failBooking(pending, 'x', 't2', now);
    expect(() => failBooking(confirmed, 'x', 't3', now)).toThrow(BookingStateError);
    expect(() => confirmBooking(failed, { confirmationCode: 'A', providerBookingId: 'p' }, now)).toThrow(
      BookingStateError,
    );
    expect(() => failBooking(failed, 'x', 't3', now)).toThrow(BookingStateError);
  });
});
