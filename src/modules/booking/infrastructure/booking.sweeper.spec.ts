import { customer } from '../../../../test/support/in-memory/fixtures';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { seedWallet } from '../../../../test/support/in-memory/wallet';
import { FlightBookingHandler } from '../../provider/application/flight-booking.handler';
import { HotelBookingHandler } from '../../provider/application/hotel-booking.handler';
import { TravelHandlers } from '../../provider/application/travel-handlers.service';
import { WalletLedgerFacade } from '../../wallet/application/wallet-ledger.facade';
import { CreateBookingService } from '../application/create-booking.service';
import { ProcessBookingService } from '../application/process-booking.service';
import { BOOKING_SWEEP_DEFAULTS, BookingSweeper } from './booking.sweeper';

const alice = customer('Alice');
const MINUTE = 60_000;

describe('BookingSweeper: cancels that never finished', () => {
  it('parks a confirmed booking claimed for a cancel longer ago than the grace, and only that one', async () => {
    const t = await inMemoryModule([
      CreateBookingService,
      ProcessBookingService,
      WalletLedgerFacade,
      TravelHandlers,
      FlightBookingHandler,
      HotelBookingHandler,
    ]);
    const wallet = seedWallet(t.db, { accountId: alice.accountId, currency: 'EUR', balance: 100_000n });
    t.amadeus.addOffer('flight-1', 10_000n);
    const confirmed = async () => {
      const booking = await t.module.get(CreateBookingService).execute(
        {
          caller: alice,
          type: 'flight',
          offerId: 'flight-1',
          walletId: wallet.id,
          travelers: [{ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' }],
          idempotencyKey: `key-${Math.random()}`,
        },
        undefined,
      );
      await t.bookingJobs.run(booking.id, t.module.get(ProcessBookingService), 3);
      return booking.id;
    };
    const [stale, recent, untouched] = [await confirmed(), await confirmed(), await confirmed()];
    const now = new Date(t.clock.now());
    await t.bookings.claimCancel(stale, new Date(now.getTime() - 6 * MINUTE));
    await t.bookings.claimCancel(recent, new Date(now.getTime() - 1 * MINUTE));
    const sweeper = new BookingSweeper(t.bookings, t.bookingJobs, BOOKING_SWEEP_DEFAULTS, t.clock);

    expect(await sweeper.parkStaleCancels(now)).toBe(1);
    expect(await sweeper.parkStaleCancels(now)).toBe(0);

    expect(t.bookings.committed(stale)).toMatchObject({
      status: 'action_required',
      failureReason: expect.stringContaining('never finished'),
    });
    expect([t.bookings.committed(recent)?.status, t.bookings.committed(untouched)?.status]).toEqual([
      'confirmed',
      'confirmed',
    ]);
  });
});
