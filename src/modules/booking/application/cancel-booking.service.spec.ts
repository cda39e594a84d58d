import { bookingWorld, OPENING, PRICE } from '../../../../test/support/in-memory/booking-world';
import { ParkBookingService } from './park-booking.service';
import { customer } from '../../../../test/support/in-memory/fixtures';
import { WALLETS } from '../../../../test/support/in-memory/wallet';
import { ProviderUnavailableError } from '../../provider/domain/provider.errors';
import { BookingAdminService } from './booking-admin.service';
import { CancelBookingService } from './cancel-booking.service';

async function setup() {
  const t = await bookingWorld([CancelBookingService, BookingAdminService]);
  const cancel = (id: string) => t.module.get(CancelBookingService).execute(id, t.alice, undefined);
  return { ...t, cancel };
}

describe('CancelBookingService', () => {
  it('cancels a confirmed booking at the provider and refunds it once; a second cancel is booking_not_cancellable', async () => {
    const t = await setup();
    const booking = await t.confirmed();

    expect(await t.cancel(booking.id)).toMatchObject({ status: 'cancelled' });
    await expect(t.cancel(booking.id)).rejects.toMatchObject({ code: 'booking_not_cancellable' });

    expect(t.amadeus.cancelCalls).toBe(1);
    expect(t.amadeus.booked()).toEqual([]);
    expect(t.refunds().map((r) => r.amount)).toEqual([PRICE]);
    expect(t.balance()).toBe(OPENING);
  });

  it("another account's booking is not_found, and the provider is not asked", async () => {
    const t = await setup();
    const booking = await t.confirmed();
    await expect(
      t.module.get(CancelBookingService).execute(booking.id, customer('Bob'), undefined),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(t.amadeus.cancelCalls).toBe(0);
  });

  it('a provider that will not cancel: 409, the booking stays confirmed, and a later cancel may try again', async () => {
    const t = await setup();
    const booking = await t.confirmed();
    t.amadeus.refuseCancel = true;

    await expect(t.cancel(booking.id)).rejects.toMatchObject({ code: 'booking_not_cancellable' });
    expect(t.bookings.committed(booking.id)?.status).toBe('confirmed');
    t.amadeus.refuseCancel = false;
    expect(await t.cancel(booking.id)).toMatchObject({ status: 'cancelled' });

    expect(t.amadeus.cancelCalls).toBe(2);
    expect(t.refunds().map((r) => r.amount)).toEqual([PRICE]);
  });

  it('a cancel whose outcome at the provider is unknown is parked, not refunded, and not sent again', async () => {
    const t = await setup();
    const booking = await t.confirmed();
    t.amadeus.failNextCancelAfterCancelling(new ProviderUnavailableError('timed out', true));

    await expect(t.cancel(booking.id)).rejects.toMatchObject({ code: 'provider_unavailable' });
    await expect(t.cancel(booking.id)).rejects.toMatchObject({ code: 'booking_not_cancellable' });

    expect(t.bookings.committed(booking.id)).toMatchObject({
      status: 'action_required',
      failureReason: expect.stringContaining('whether the provider cancelled is unknown'),
    });
    expect(t.amadeus.cancelCalls).toBe(1);
    expect(t.refunds()).toEqual([]);
  });

  it('cancelled at the provider but the refund cannot be made: parked for a person, who refunds it once', async () => {
    const t = await setup();
    const booking = await t.confirmed();
    const release = t.db.holdLockElsewhere(WALLETS, t.wallet.id);

    await expect(t.cancel(booking.id)).rejects.toMatchObject({ code: 'wallet_busy' });
    release();

    expect(t.bookings.committed(booking.id)).toMatchObject({
      status: 'action_required',
      failureReason: expect.stringContaining('the refund failed'),
    });
    expect(t.refunds()).toEqual([]);
    await expect(t.cancel(booking.id)).rejects.toMatchObject({ code: 'booking_not_cancellable' });
    expect(
      await t.module.get(BookingAdminService).resolve(booking.id, { failed: true }, undefined),
    ).toMatchObject({
      status: 'failed',
    });
    expect(t.refunds().map((r) => r.amount)).toEqual([PRICE]);
    expect(t.amadeus.cancelCalls).toBe(1);
  });

  it('a parked cancel resolved as still booked is an ordinary confirmed booking again: the sweep leaves it, a cancel goes through', async () => {
    const t = await setup();
    const booking = await t.confirmed();
    // A cancel whose process died before it reached the provider, parked by the sweep.
    await t.bookings.claimCancel(booking.id, new Date(t.clock.now() - 6 * 60_000));
    await t.module
      .get(ParkBookingService)
      .parkConfirmed(booking.id, 'A cancel began and never finished', new Date(t.clock.now()));
    expect(t.bookings.committed(booking.id)?.status).toBe('action_required');

    const resolved = await t.module
      .get(BookingAdminService)
      .resolve(booking.id, { confirmationCode: 'QVH2B1', providerReference: 'order-1' }, undefined);
    expect(resolved).toMatchObject({ status: 'confirmed' });
    expect(await t.bookings.findStaleCancels(new Date(t.clock.now() + 3_600_000), 10)).toEqual([]);

    expect(await t.cancel(booking.id)).toMatchObject({ status: 'cancelled' });
    expect(t.amadeus.cancelCalls).toBe(1);
    expect(t.refunds().map((r) => r.amount)).toEqual([PRICE]);
  });
});
