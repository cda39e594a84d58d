import { BOOKINGS } from '../../../../test/support/in-memory/booking';
import { ada, bookingWorld, OPENING, PRICE } from '../../../../test/support/in-memory/booking-world';
import { ProviderUnavailableError } from '../../provider/domain/provider.errors';
import type { Traveler } from '../../provider/domain/travel-provider';
import type { Booking } from '../domain/booking';

const travelerNamed = (lastName: string): Traveler => ({ ...ada, lastName });

async function setup() {
  const t = await bookingWorld();
  return { ...t, service: t.processor };
}

describe('ProcessBookingService', () => {
  it("confirms the booking with the provider's code on the first attempt, and keeps the debit", async () => {
    const t = await setup();
    const booking = await t.book();

    expect(await t.bookingJobs.run(booking.id, t.service, 5)).toBe('completed');

    const [made] = t.amadeus.booked();
    expect(t.bookings.committed(booking.id)).toMatchObject({
      status: 'confirmed',
      confirmationCode: made.confirmationCode,
      providerBookingId: made.providerBookingId,
      refundTransactionId: null,
    });
    expect(t.amadeus.bookCalls).toBe(1);
    expect(t.balance()).toBe(OPENING - PRICE);
    expect(t.refunds()).toEqual([]);
  });

  it('a refusal fails the booking at once, without a retry, and refunds its debit exactly once', async () => {
    const t = await setup();
    const booking = await t.book(travelerNamed('Decline'));

    expect(await t.bookingJobs.run(booking.id, t.service, 5)).toBe('failed');

    const failed = t.bookings.committed(booking.id);
    expect(failed).toMatchObject({
      status: 'failed',
      failureReason: 'Amadeus declined the booking for Decline',
    });
    expect(t.amadeus.bookCalls).toBe(1);
    expect(t.balance()).toBe(OPENING);
    expect(t.wallets.ledgerSum(t.wallet.id)).toBe(OPENING);
    expect(t.refunds()).toEqual([
      expect.objectContaining({
        id: failed?.refundTransactionId,
        type: 'credit',
        amount: PRICE,
        reference: { type: 'booking', id: booking.id },
        idempotencyKey: { scope: 'service', key: `booking-refund:${booking.id}` },
      }),
    ]);
  });

  it('a booking settled already is left alone by a repeated job: no provider call, no second refund', async () => {
    const t = await setup();
    const booking = await t.book(travelerNamed('Decline'));
    await t.bookingJobs.run(booking.id, t.service, 5);

    expect(await t.service.attempt(booking.id, true)).toEqual({ outcome: 'settled' });
    expect(await t.service.attempt('00000000-0000-4000-8000-000000000000', true)).toEqual({
      outcome: 'settled',
    });

    expect(t.amadeus.bookCalls).toBe(1);
    expect(t.refunds().map((r) => r.amount)).toEqual([PRICE]);
    expect(t.balance()).toBe(OPENING);
  });

  it('two workers refused for one booking at the same time refund it once; the later one says it found it settled', async () => {
    const t = await setup();
    const booking = await t.book(travelerNamed('Decline'));

    const outcomes = await Promise.all([
      t.service.attempt(booking.id, false),
      t.service.attempt(booking.id, false),
    ]);

    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['failed', 'settled']);
    expect(t.refunds().map((r) => r.amount)).toEqual([PRICE]);
    expect(t.balance()).toBe(OPENING);
  });

  it('a transient failure before the last attempt is thrown for the job to retry, with the booking still pending', async () => {
    const t = await setup();
    const booking = await t.book();
    t.amadeus.failNextBook({ before: new ProviderUnavailableError('503 from Amadeus') });

    await expect(t.service.attempt(booking.id, false)).rejects.toBeInstanceOf(ProviderUnavailableError);

    expect(t.bookings.committed(booking.id)).toMatchObject({ status: 'pending', outcomeUnknown: false });
    expect(t.balance()).toBe(OPENING - PRICE);
    expect(t.refunds()).toEqual([]);
  });

  it('the Flaky traveller fails twice, then the third attempt confirms; with two attempts only it is refunded', async () => {
    const t = await setup();
    const patient = await t.book(travelerNamed('Flaky'));
    const hasty = await t.book(travelerNamed('Flaky'));

    expect(await t.bookingJobs.run(patient.id, t.service, 5)).toBe('completed');
    expect(await t.bookingJobs.run(hasty.id, t.service, 2)).toBe('failed');

    expect(t.bookings.committed(patient.id)?.status).toBe('confirmed');
    expect(t.bookings.committed(hasty.id)).toMatchObject({
      status: 'failed',
      failureReason: 'The provider could not be reached: Amadeus failed attempt 2 (Flaky)',
    });
    expect(t.amadeus.bookCalls).toBe(5);
    expect(t.refunds().map((r) => r.reference?.id)).toEqual([hasty.id]);
    expect(t.balance()).toBe(OPENING - PRICE);
  });

  it('after a timeout that did book, the retry finds that booking instead of booking twice', async () => {
    const t = await setup();
    const booking = await t.book();
    t.amadeus.failNextBook({ afterBooking: new ProviderUnavailableError('timed out after sending', true) });

    expect(await t.bookingJobs.run(booking.id, t.service, 3)).toBe('completed');

    expect(t.amadeus.bookCalls).toBe(1);
    expect(t.amadeus.booked()).toHaveLength(1);
    expect(t.bookings.committed(booking.id)).toMatchObject({
      status: 'confirmed',
      outcomeUnknown: true,
      providerBookingId: t.amadeus.booked()[0].providerBookingId,
    });
    expect(t.refunds()).toEqual([]);
  });

  it('a booking from before priced offers were kept, whose earlier create timed out, is parked when it cannot be priced again', async () => {
    const t = await setup();
    const booking = await t.book();
    // As such a booking is stored: no priced offer, and a create that timed out after sending.
    await t.db.autocommit((tx) =>
      t.db
        .table<Booking>(BOOKINGS, tx)
        .update(booking.id, (b) => ({ ...b, priced: '', outcomeUnknown: true })),
    );
    // The offer is gone (perhaps because that create booked it): whether it booked is unknown.
    t.amadeus.withdraw('flight-1');

    expect(await t.service.attempt(booking.id, true)).toEqual({ outcome: 'action_required' });

    expect(t.bookings.committed(booking.id)).toMatchObject({ status: 'action_required' });
    expect(t.refunds()).toEqual([]);
  });

  it('a timeout on the last attempt is looked up: booked is confirmed; not found is parked, never refunded blind', async () => {
    const t = await setup();
    const booked = await t.book();
    const lost = await t.book();
    t.amadeus.failNextBook(
      { afterBooking: new ProviderUnavailableError('timed out after sending', true) },
      { before: new ProviderUnavailableError('timed out before the provider booked', true) },
    );

    expect(await t.service.attempt(booked.id, true)).toEqual({ outcome: 'confirmed' });
    expect(await t.service.attempt(lost.id, true)).toEqual({ outcome: 'action_required' });

    expect(t.bookings.committed(booked.id)?.status).toBe('confirmed');
    expect(t.bookings.committed(lost.id)).toMatchObject({ status: 'action_required', outcomeUnknown: true });
    expect(t.refunds()).toEqual([]);
    expect(t.amadeus.bookCalls).toBe(2);
    expect(t.balance()).toBe(OPENING - 2n * PRICE);
  });

  it('a provider that cannot look bookings up: the retry after a timeout parks the booking, books nothing more', async () => {
    const t = await setup();
    t.amadeus.lookups = false;
    const booking = await t.book();
    t.amadeus.failNextBook({ afterBooking: new ProviderUnavailableError('timed out after sending', true) });

    expect(await t.bookingJobs.run(booking.id, t.service, 5)).toBe('completed');

    expect(t.bookings.committed(booking.id)).toMatchObject({
      status: 'action_required',
      refundTransactionId: null,
    });
    expect(t.amadeus.bookCalls).toBe(1);
    expect(t.refunds()).toEqual([]);
    expect(t.balance()).toBe(OPENING - PRICE);
  });

  it('booked above the debited price: cancelled at the provider, failed as price_changed, refunded once', async () => {
    const t = await setup();
    const booking = await t.book();
    t.amadeus.bookAt('flight-1', PRICE + 500n);

    expect(await t.bookingJobs.run(booking.id, t.service, 5)).toBe('failed');

    expect(t.bookings.committed(booking.id)).toMatchObject({
      status: 'failed',
      failureReason: 'price_changed',
    });
    expect(t.amadeus.bookCalls).toBe(1);
    expect(t.amadeus.cancelCalls).toBe(1);
    expect(t.amadeus.booked()).toEqual([]);
    expect(t.refunds().map((r) => r.amount)).toEqual([PRICE]);
    expect(t.balance()).toBe(OPENING);
  });

  it('booked above the price and the provider will not cancel: parked for a person, nothing refunded', async () => {
    const t = await setup();
    const booking = await t.book();
    t.amadeus.bookAt('flight-1', PRICE + 500n);
    t.amadeus.refuseCancel = true;

    expect(await t.bookingJobs.run(booking.id, t.service, 5)).toBe('completed');

    expect(t.bookings.committed(booking.id)).toMatchObject({
      status: 'action_required',
      failureReason: expect.stringContaining('price_changed'),
    });
    expect(t.refunds()).toEqual([]);
  });

  it('booked below the debited price: confirmed at the lower amount, the difference refunded once', async () => {
    const t = await setup();
    const booking = await t.book();
    t.amadeus.bookAt('flight-1', PRICE - 2_000n);

    expect(await t.bookingJobs.run(booking.id, t.service, 5)).toBe('completed');
    expect(await t.service.attempt(booking.id, true)).toEqual({ outcome: 'settled' });

    expect(t.bookings.committed(booking.id)).toMatchObject({ status: 'confirmed', amount: PRICE - 2_000n });
    expect(t.refunds()).toEqual([
      expect.objectContaining({
        amount: 2_000n,
        idempotencyKey: { scope: 'service', key: `booking-refund:${booking.id}:price-difference` },
      }),
    ]);
    expect(t.balance()).toBe(OPENING - PRICE + 2_000n);
  });

  it('an offer withdrawn before the job ran fails the booking and refunds it', async () => {
    const t = await setup();
    const booking = await t.book();
    t.amadeus.withdraw('flight-1');

    expect(await t.bookingJobs.run(booking.id, t.service, 5)).toBe('failed');

    expect(t.bookings.committed(booking.id)?.status).toBe('failed');
    expect(t.balance()).toBe(OPENING);
  });
});
