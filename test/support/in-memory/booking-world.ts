import type { Provider } from '@nestjs/common';
import { CreateBookingService } from '../../../src/modules/booking/application/create-booking.service';
import { ProcessBookingService } from '../../../src/modules/booking/application/process-booking.service';
import { ParkBookingService } from '../../../src/modules/booking/application/park-booking.service';
import { FlightBookingHandler } from '../../../src/modules/provider/application/flight-booking.handler';
import { HotelBookingHandler } from '../../../src/modules/provider/application/hotel-booking.handler';
import { TravelHandlers } from '../../../src/modules/provider/application/travel-handlers.service';
import type { Traveler } from '../../../src/modules/provider/domain/travel-provider';
import { WalletLedgerFacade } from '../../../src/modules/wallet/application/wallet-ledger.facade';
import { customer } from './fixtures';
import { inMemoryModule } from './testing-module';
import { seedWallet } from './wallet';

/** What a booking world's wallet holds before anything is booked: enough for four bookings. */
export const OPENING = 200_000n;
/** The price of the world's one flight offer, `flight-1` at Amadeus. */
export const PRICE = 42_000n;
export const ada: Traveler = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };

/**
 * Bookings on the fakes: the services that create and process them (and `services`), Alice's EUR
 * wallet holding {@link OPENING}, and one flight offer at {@link PRICE}. `book` creates a pending
 * booking of that offer; `confirmed` also runs its job (three attempts) and checks it confirmed;
 * `refunds` are the wallet's credits that refer to something (a booking), oldest first.
 */
export async function bookingWorld(services: Provider[] = []) {
  const alice = customer('Alice');
  const t = await inMemoryModule([
    CreateBookingService,
    ProcessBookingService,
    ParkBookingService,
    WalletLedgerFacade,
    TravelHandlers,
    FlightBookingHandler,
    HotelBookingHandler,
    ...services,
  ]);
  const wallet = seedWallet(t.db, { accountId: alice.accountId, currency: 'EUR', balance: OPENING });
  t.amadeus.addOffer('flight-1', PRICE);
  const processor = t.module.get(ProcessBookingService);
  const book = (traveler: Traveler = ada) =>
    t.module.get(CreateBookingService).execute(
      {
        caller: alice,
        type: 'flight',
        offerId: 'flight-1',
        walletId: wallet.id,
        travelers: [traveler],
        idempotencyKey: `key-${Math.random()}`,
      },
      undefined,
    );
  const confirmed = async () => {
    const booking = await book();
    await t.bookingJobs.run(booking.id, processor, 3);
    expect(t.bookings.committed(booking.id)?.status).toBe('confirmed');
    return booking;
  };
  const refunds = () =>
    t.wallets.ledger(wallet.id).filter((e) => e.type === 'credit' && e.reference !== null);
  const balance = () => t.wallets.committed(wallet.id)?.balance;
  return { ...t, alice, wallet, processor, book, confirmed, refunds, balance };
}
