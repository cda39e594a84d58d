import { bookingWorld } from '../../../../test/support/in-memory/booking-world';
import { ParkBookingService } from '../application/park-booking.service';
import { BOOKING_SWEEP_DEFAULTS, BookingSweeper } from './booking.sweeper';

const MINUTE = 60_000;

describe('BookingSweeper: cancels that never finished', () => {
  it('parks a confirmed booking claimed for a cancel longer ago than the grace, and only that one', async () => {
    const t = await bookingWorld();
    const confirmed = async () => (await t.confirmed()).id;
    const [stale, recent, untouched] = [await confirmed(), await confirmed(), await confirmed()];
    const now = new Date(t.clock.now());
    await t.bookings.claimCancel(stale, new Date(now.getTime() - 6 * MINUTE));
    await t.bookings.claimCancel(recent, new Date(now.getTime() - 1 * MINUTE));
    const sweeper = new BookingSweeper(
      t.bookings,
      t.bookingJobs,
      BOOKING_SWEEP_DEFAULTS,
      t.clock,
      t.module.get(ParkBookingService),
    );

    expect(await sweeper.parkStaleCancels(now)).toBe(1);
    expect(await sweeper.parkStaleCancels(now)).toBe(0);

    expect(t.bookings.committed(stale)).toMatchObject({
      status: 'action_required',
      failureReason: expect.stringContaining('never finished'),
    });
    // Its account is told, once.
    expect(t.events.summary().filter(([type]) => type === 'booking.action_required')).toEqual([
      ['booking.action_required', stale],
    ]);
    expect([t.bookings.committed(recent)?.status, t.bookings.committed(untouched)?.status]).toEqual([
      'confirmed',
      'confirmed',
    ]);
  });
});
