import { customer } from '../../../../test/support/in-memory/fixtures';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { seedWallet, WALLETS } from '../../../../test/support/in-memory/wallet';
import { FlightBookingHandler } from '../../provider/application/flight-booking.handler';
import { HotelBookingHandler } from '../../provider/application/hotel-booking.handler';
import { TravelHandlers } from '../../provider/application/travel-handlers.service';
import { WalletLedgerFacade } from '../../wallet/application/wallet-ledger.facade';
import { CreateBookingService, type CreateBookingCommand } from './create-booking.service';

const alice = customer('Alice');
const traveler = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };
const PRICE = 42_000n;

async function setup() {
  const t = await inMemoryModule([
    CreateBookingService,
    WalletLedgerFacade,
    TravelHandlers,
    FlightBookingHandler,
    HotelBookingHandler,
  ]);
  const wallet = seedWallet(t.db, { accountId: alice.accountId, currency: 'EUR', balance: 100_000n });
  t.amadeus.addOffer('flight-1', PRICE);
  t.bookingCom.addOffer('hotel-1', 30_000n);
  const command = (overrides: Partial<CreateBookingCommand> = {}): CreateBookingCommand => ({
    caller: alice,
    type: 'flight',
    offerId: 'flight-1',
    walletId: wallet.id,
    travelers: [traveler],
    idempotencyKey: 'booking-key-1',
    ...overrides,
  });
  return { ...t, wallet, command, service: t.module.get(CreateBookingService) };
}

describe('CreateBookingService', () => {
  it("debits the wallet at once by the provider's price, keeps a pending booking and queues its job after the commit", async () => {
    const t = await setup();
    const enqueue = t.bookingJobs.enqueue.bind(t.bookingJobs);
    const committedWhenQueued: boolean[] = [];
    jest.spyOn(t.bookingJobs, 'enqueue').mockImplementation(async (id) => {
      committedWhenQueued.push(t.bookings.committed(id) !== null);
      return enqueue(id);
    });

    const booking = await t.service.execute(t.command(), undefined);

    expect(booking).toMatchObject({
      accountId: alice.accountId,
      type: 'flight',
      provider: 'Amadeus',
      offerId: 'flight-1',
      walletId: t.wallet.id,
      status: 'pending',
      amount: PRICE,
      currency: 'EUR',
      refundTransactionId: null,
      confirmationCode: null,
      failureReason: null,
      outcomeUnknown: false,
    });
    expect(t.bookings.all()).toEqual([booking]);
    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(100_000n - PRICE);
    const debit = t.wallets.ledger(t.wallet.id)[1];
    expect(debit).toMatchObject({
      id: booking.walletTransactionId,
      type: 'debit',
      amount: PRICE,
      reference: { type: 'booking', id: booking.id },
      idempotencyKey: { scope: alice.accountId, key: 'booking-key-1' },
    });
    expect(committedWhenQueued).toEqual([true]);
    expect(t.bookingJobs.states()).toEqual(new Map([[booking.id, 'waiting']]));
    expect(t.amadeus.bookCalls).toBe(0);
  });

  it('a hotel is priced and booked by the hotel provider', async () => {
    const t = await setup();
    const booking = await t.service.execute(t.command({ type: 'hotel', offerId: 'hotel-1' }), undefined);
    expect(booking).toMatchObject({ provider: 'Booking.com', amount: 30_000n });
  });

  it('an offer the provider no longer sells is offer_unavailable, and nothing is debited, kept or queued', async () => {
    const t = await setup();
    t.amadeus.withdraw('flight-1');

    await expect(t.service.execute(t.command(), undefined)).rejects.toMatchObject({
      code: 'offer_unavailable',
    });

    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(100_000n);
    expect(t.wallets.ledger(t.wallet.id)).toHaveLength(1);
    expect(t.bookings.all()).toEqual([]);
    expect(t.bookingJobs.states().size).toBe(0);
    expect(t.db.counts).toEqual({ commits: 0, rollbacks: 0 });
  });

  it("another account's wallet and an unknown one are not_found, before the provider is asked", async () => {
    const t = await setup();
    const price = jest.spyOn(t.amadeus, 'price');

    await expect(t.service.execute(t.command({ caller: customer('Bob') }), undefined)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      t.service.execute(t.command({ walletId: '00000000-0000-4000-8000-000000000000' }), undefined),
    ).rejects.toMatchObject({ code: 'not_found' });

    expect(price).not.toHaveBeenCalled();
    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(100_000n);
    expect(t.bookings.all()).toEqual([]);
  });

  it('travellers lacking what the pricing requires are traveler_details_required, each named, before any debit', async () => {
    const t = await setup();
    t.amadeus.requiredFields = [['date_of_birth'], ['date_of_birth', 'gender']];
    const second = {
      firstName: 'Charles',
      lastName: 'Babbage',
      email: 'cb@example.com',
      dateOfBirth: '1791-12-26',
    };

    await expect(
      t.service.execute(t.command({ travelers: [traveler, second] }), undefined),
    ).rejects.toMatchObject({
      code: 'traveler_details_required',
      extensions: {
        errors: [
          { field: 'traveler.date_of_birth', message: expect.any(String) },
          { field: 'travelers[0].gender', message: expect.any(String) },
        ],
      },
    });
    await expect(
      t.service.execute(t.command({ travelers: Array.from({ length: 10 }, () => traveler) }), undefined),
    ).rejects.toMatchObject({
      code: 'traveler_details_required',
      extensions: { errors: [{ field: 'travelers' }] },
    });

    expect(t.wallets.ledger(t.wallet.id)).toHaveLength(1);
    expect(t.bookings.all()).toEqual([]);
  });

  it('a balance below the price is insufficient_funds, and neither a booking nor a job is left', async () => {
    const t = await setup();
    t.amadeus.addOffer('flight-2', 100_001n);

    await expect(t.service.execute(t.command({ offerId: 'flight-2' }), undefined)).rejects.toMatchObject({
      code: 'insufficient_funds',
    });

    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(100_000n);
    expect(t.bookings.all()).toEqual([]);
    expect(t.bookingJobs.states().size).toBe(0);
  });

  it("a wallet in another currency than the offer's is currency_mismatch, and nothing moves", async () => {
    const t = await setup();
    const usd = seedWallet(t.db, { accountId: alice.accountId, currency: 'USD', balance: 100_000n });

    await expect(t.service.execute(t.command({ walletId: usd.id }), undefined)).rejects.toMatchObject({
      code: 'currency_mismatch',
    });
    expect(t.wallets.committed(usd.id)?.balance).toBe(100_000n);
    expect(t.bookings.all()).toEqual([]);
  });

  it('one Idempotency-Key makes one booking and one debit: its reuse for another booking is refused', async () => {
    const t = await setup();
    const first = await t.service.execute(t.command(), undefined);

    await expect(t.service.execute(t.command(), undefined)).rejects.toMatchObject({
      code: 'idempotency_key_reused',
    });

    expect(t.bookings.all()).toEqual([first]);
    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(100_000n - PRICE);
    expect(t.wallets.ledgerSum(t.wallet.id)).toBe(100_000n - PRICE);
  });

  it('a wallet whose row lock cannot be had in time is wallet_busy, and nothing is debited', async () => {
    const t = await setup();
    const release = t.db.holdLockElsewhere(WALLETS, t.wallet.id);

    await expect(t.service.execute(t.command(), undefined)).rejects.toMatchObject({ code: 'wallet_busy' });
    release();

    expect(t.wallets.committed(t.wallet.id)?.balance).toBe(100_000n);
    expect(t.bookings.all()).toEqual([]);
    expect(t.bookingJobs.states().size).toBe(0);
  });
});
