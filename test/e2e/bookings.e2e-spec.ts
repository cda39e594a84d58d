import { serviceKey } from '../../src/modules/wallet/domain/wallet';
import { ParkBookingService } from '../../src/modules/booking/application/park-booking.service';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { refundKey } from '../../src/modules/booking/domain/booking';
import { BOOKING_QUEUE, BOOKING_REPOSITORY } from '../../src/modules/booking/booking.tokens';
import type { BookingRepository } from '../../src/modules/booking/domain/booking.repository';
import { BookingQueue } from '../../src/modules/booking/infrastructure/booking-queue';
import {
  BOOKING_SWEEP_DEFAULTS,
  BookingSweeper,
} from '../../src/modules/booking/infrastructure/booking.sweeper';
import { WalletLedgerFacade } from '../../src/modules/wallet/application/wallet-ledger.facade';
import { book, bookingOf, inDays, settledBooking, traveler } from '../support/booking-fixtures';
import { eventually } from '../support/inventory-fixtures';
import { ADMIN_KEY, createCustomer, createTestApp, TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

describe('bookings (e2e, sandbox providers)', () => {
  let t: TestApp;
  let queue: Queue;
  let ds: DataSource;
  let flightOffer: { id: string; price: { amount: number; currency: string } };
  let hotelOffer: { id: string; price: { amount: number; currency: string } };

  /** A new customer with one wallet (one wallet per currency per account). */
  const walletWith = (amount: number, currency = 'EUR') => customerWithWallet(t, amount, currency);

  const balance = async (walletId: string) =>
    (await t.http().get(`/api/wallets/${walletId}`).set(bearer(ADMIN_KEY())).expect(200)).body
      .balance as number;

  const ledgerOf = async (bookingId: string) =>
    ds.query(
      `SELECT type, amount::text AS amount FROM wallet_transactions
        WHERE reference_type = 'booking' AND reference_id = $1 ORDER BY created_at, id`,
      [bookingId],
    ) as Promise<Array<{ type: string; amount: string }>>;

  /** The booking once it is no longer pending, as its owner sees it. */
  const settled = (id: string, owner: { key: string }) => settledBooking(t, id, owner);

  beforeAll(async () => {
    t = await createTestApp({ config: { BOOKING_JOB_ATTEMPTS: 4, BOOKING_JOB_BACKOFF_MS: 20 } });
    queue = t.app.get<Queue>(getQueueToken(BOOKING_QUEUE));
    ds = t.app.get(DataSource);
    const flights = await t
      .http()
      .get('/api/flights/offers')
      .query({ origin: 'JFK', destination: 'LHR', departure_date: inDays(30), adults: 1 })
      .expect(200);
    flightOffer = flights.body.offers[0];
    const hotels = await t
      .http()
      .get('/api/hotels/offers')
      .query({ city: 'PAR', check_in: inDays(30), check_out: inDays(32), guests: 2 })
      .expect(200);
    hotelOffer = hotels.body.offers[0];
  });
  afterAll(() => t.close());

  it('debits once, answers 202 pending, then confirms with a confirmation code', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const res = await book(t, customer.key, bookingOf('flight', flightOffer, walletId)).expect(202);
    expect(res.body).toEqual({
      id: expect.any(String),
      type: 'flight',
      provider: 'Amadeus',
      status: 'pending',
      amount: flightOffer.price.amount,
      currency: 'EUR',
      wallet_transaction_id: expect.any(String),
      travelers: [traveler()],
      provider_reference: null,
      confirmation_code: null,
      failure_reason: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(await balance(walletId)).toBe(1_000_000 - flightOffer.price.amount);

    const done = await settled(res.body.id, customer);
    expect(done).toMatchObject({
      status: 'confirmed',
      confirmation_code: expect.stringMatching(/^[A-Z2-9]{6}$/),
      failure_reason: null,
    });
    expect(await balance(walletId)).toBe(1_000_000 - flightOffer.price.amount);
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: String(flightOffer.price.amount) },
    ]);
    const [debit] = await ds.query(`SELECT id FROM wallet_transactions WHERE reference_id = $1`, [
      res.body.id,
    ]);
    expect(debit.id).toBe(res.body.wallet_transaction_id);
    expect((await queue.getJob(res.body.id))?.attemptsMade).toBe(0);
  });

  it('"Decline": failed with a reason, refunded exactly once (balance restored, two ledger entries)', async () => {
    const { customer, walletId } = await walletWith(500_000);
    const res = await book(t, customer.key, bookingOf('hotel', hotelOffer, walletId, 'Decline')).expect(202);
    expect(res.body.provider).toBe('Booking.com');
    const done = await settled(res.body.id, customer);
    expect(done).toMatchObject({
      status: 'failed',
      confirmation_code: null,
      failure_reason: expect.stringContaining('declined'),
    });
    expect(await balance(walletId)).toBe(500_000);
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: String(hotelOffer.price.amount) },
      { type: 'credit', amount: String(hotelOffer.price.amount) },
    ]);
    // Operators see the declined booking as a failed job, not retried.
    const job = await queue.getJob(res.body.id);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('booking failed and was refunded');

    // A second refund through the ledger is a replay of the first: no new entry, no new money.
    const ledger = t.app.get(WalletLedgerFacade);
    const again = await t.app.get(UnitOfWork).run((em) =>
      ledger.credit(em, {
        walletId,
        amount: BigInt(hotelOffer.price.amount),
        reference: { type: 'booking', id: res.body.id },
        idempotencyKey: serviceKey(refundKey(res.body.id)),
      }),
    );
    expect(again.replayed).toBe(true);
    expect(await balance(walletId)).toBe(500_000);
    expect(await ledgerOf(res.body.id)).toHaveLength(2);
  });

  it('"Flaky": fails twice, is retried with backoff, then confirmed; debited once', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const res = await book(t, customer.key, bookingOf('flight', flightOffer, walletId, 'Flaky')).expect(202);
    const done = await settled(res.body.id, customer);
    expect(done).toMatchObject({ status: 'confirmed', confirmation_code: expect.any(String) });
    expect((await queue.getJob(res.body.id))?.attemptsMade).toBe(2);
    expect(await balance(walletId)).toBe(1_000_000 - flightOffer.price.amount);
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: String(flightOffer.price.amount) },
    ]);
  });

  it('"Timeout": the create timed out after the sandbox booked; action_required, neither refunded nor booked again', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const res = await book(t, customer.key, bookingOf('flight', flightOffer, walletId, 'Timeout')).expect(
      202,
    );
    const done = await settled(res.body.id, customer);
    expect(done).toMatchObject({ status: 'action_required', confirmation_code: null });
    expect((await queue.getJob(res.body.id))?.attemptsMade).toBe(1);
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: String(flightOffer.price.amount) },
    ]);
  });

  it('"Pricey": booked above the debit, so cancelled at the sandbox, failed as price_changed and refunded once', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const res = await book(t, customer.key, bookingOf('hotel', hotelOffer, walletId, 'Pricey')).expect(202);
    expect(await settled(res.body.id, customer)).toMatchObject({
      status: 'failed',
      failure_reason: 'price_changed',
    });
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: String(hotelOffer.price.amount) },
      { type: 'credit', amount: String(hotelOffer.price.amount) },
    ]);
    expect(await balance(walletId)).toBe(1_000_000);
  });

  it('a confirmed booking is cancelled and refunded once; cancelling it again is 409 booking_not_cancellable', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const res = await book(t, customer.key, bookingOf('hotel', hotelOffer, walletId)).expect(202);
    expect(await settled(res.body.id, customer)).toMatchObject({ status: 'confirmed' });
    const cancel = (key = randomUUID()) =>
      t
        .http()
        .post(`/api/bookings/${res.body.id}/cancel`)
        .set(bearer(customer.key))
        .set('Idempotency-Key', key);

    const key = randomUUID();
    expect((await cancel(key).expect(200)).body).toMatchObject({ status: 'cancelled' });
    expect((await cancel(key).expect(200)).headers['idempotent-replayed']).toBe('true');
    expect((await cancel().expect(409)).body.code).toBe('booking_not_cancellable');
    await cancel()
      .set(bearer((await createCustomer(t, 'Mallory')).key))
      .expect(404);
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: String(hotelOffer.price.amount) },
      { type: 'credit', amount: String(hotelOffer.price.amount) },
    ]);
    expect(await balance(walletId)).toBe(1_000_000);
  });

  it('a cancel that never finished (its process died) is found by the sweep and parked; a cancel then is 409', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const res = await book(t, customer.key, bookingOf('hotel', hotelOffer, walletId)).expect(202);
    expect(await settled(res.body.id, customer)).toMatchObject({ status: 'confirmed' });
    await ds.query(`UPDATE bookings SET cancel_requested_at = now() - interval '10 minutes' WHERE id = $1`, [
      res.body.id,
    ]);

    // The sweeper of a worker (test apps run none), on this app's repository and queue.
    const sweeper = new BookingSweeper(
      t.app.get(BOOKING_REPOSITORY),
      t.app.get(BookingQueue),
      BOOKING_SWEEP_DEFAULTS,
      t.clock,
      t.app.get(ParkBookingService),
    );
    expect(await sweeper.parkStaleCancels(new Date(t.clock.now()))).toBe(1);

    expect(await settled(res.body.id, customer)).toMatchObject({
      status: 'action_required',
      confirmation_code: null,
    });
    await t
      .http()
      .post(`/api/bookings/${res.body.id}/cancel`)
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .expect(409);
    expect(await ledgerOf(res.body.id)).toEqual([{ type: 'debit', amount: String(hotelOffer.price.amount) }]);

    // The operator finds it still booked: an ordinary confirmed booking again, which the sweep leaves alone.
    await t
      .http()
      .post(`/api/admin/bookings/${res.body.id}/resolve`)
      .set(bearer(ADMIN_KEY()))
      .set('Idempotency-Key', randomUUID())
      .send({ confirmation_code: 'QVH2B1', provider_reference: 'resolved-1' })
      .expect(200);
    expect(await sweeper.parkStaleCancels(new Date(t.clock.now()))).toBe(0);
    const cancelled = await t
      .http()
      .post(`/api/bookings/${res.body.id}/cancel`)
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: String(hotelOffer.price.amount) },
      { type: 'credit', amount: String(hotelOffer.price.amount) },
    ]);
  });

  it('a replay with the same key returns the same booking and debits nothing more', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const body = bookingOf('flight', flightOffer, walletId);
    const key = randomUUID();
    const first = await book(t, customer.key, body, key).expect(202);
    const replay = await book(t, customer.key, body, key).expect(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await balance(walletId)).toBe(1_000_000 - flightOffer.price.amount);
    const rows = await ds.query(`SELECT count(*)::int AS n FROM bookings WHERE wallet_id = $1`, [walletId]);
    expect(rows[0].n).toBe(1);
  });

  it('insufficient funds: 422, no booking, no job, balance untouched', async () => {
    const { customer, walletId } = await walletWith(flightOffer.price.amount - 1);
    const jobIds = async () =>
      (await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']))
        .filter(Boolean)
        .map((job) => String(job.id));
    const jobsBefore = new Set(await jobIds());
    const res = await book(t, customer.key, bookingOf('flight', flightOffer, walletId)).expect(422);
    expect(res.body.code).toBe('insufficient_funds');
    // A job is enqueued after its commit, without the request waiting for it. One accepted after the
    // refusal goes to Redis after any the refusal could have enqueued: once it is there, so would that be.
    const { customer: other, walletId: funded } = await customerWithWallet(t, 1_000_000, 'EUR');
    const accepted = await book(t, other.key, bookingOf('flight', flightOffer, funded)).expect(202);
    await eventually(
      () => queue.getJob(accepted.body.id),
      (job) => job !== null,
      10_000,
    );
    expect((await jobIds()).filter((id) => !jobsBefore.has(id))).toEqual([accepted.body.id]);
    expect(await ds.query(`SELECT id FROM bookings WHERE wallet_id = $1`, [walletId])).toEqual([]);
    expect(await balance(walletId)).toBe(flightOffer.price.amount - 1);
  });

  it('5 concurrent bookings on a wallet that pays for 3: exactly 3 are accepted, 2 get insufficient_funds', async () => {
    const { customer, walletId } = await walletWith(flightOffer.price.amount * 3 + 7);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => book(t, customer.key, bookingOf('flight', flightOffer, walletId))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 202, 202, 422, 422]);
    expect(await balance(walletId)).toBe(7);
  });

  it('a wallet in another currency: 422 currency_mismatch, nothing debited', async () => {
    const { customer, walletId } = await walletWith(1_000_000, 'USD');
    const res = await book(t, customer.key, bookingOf('flight', flightOffer, walletId)).expect(422);
    expect(res.body.code).toBe('currency_mismatch');
    expect(await balance(walletId)).toBe(1_000_000);
  });

  it("another account's wallet, or an unknown one: 404", async () => {
    const customer = await createCustomer(t, 'Traveller');
    const { walletId: theirs } = await customerWithWallet(t, 1_000_000, 'EUR');
    for (const walletId of [theirs, randomUUID()]) {
      const res = await book(t, customer.key, bookingOf('flight', flightOffer, walletId)).expect(404);
      expect(res.body.code).toBe('not_found');
    }
    expect(await balance(theirs)).toBe(1_000_000);
  });

  it('an offer id the provider does not know: 422 offer_unavailable, nothing debited', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const res = await book(t, customer.key, bookingOf('hotel', flightOffer, walletId)).expect(422);
    expect(res.body.code).toBe('offer_unavailable');
    expect(await balance(walletId)).toBe(1_000_000);
  });

  it('GET /api/bookings/:id: the owner and the admin see it, another customer gets 404', async () => {
    const { customer, walletId } = await walletWith(1_000_000);
    const res = await book(t, customer.key, bookingOf('flight', flightOffer, walletId)).expect(202);
    await t.http().get(`/api/bookings/${res.body.id}`).set(bearer(ADMIN_KEY())).expect(200);
    const other = await createCustomer(t, 'Nosy');
    expect(
      (await t.http().get(`/api/bookings/${res.body.id}`).set(bearer(other.key)).expect(404)).body.code,
    ).toBe('not_found');
    await t.http().get(`/api/bookings/${randomUUID()}`).set(bearer(customer.key)).expect(404);
    expect((await t.http().get('/api/bookings/nope').set(bearer(customer.key)).expect(400)).body.code).toBe(
      'validation_failed',
    );
    await t.http().get(`/api/bookings/${res.body.id}`).expect(401);
  });

  it('rejects a missing key, bad fields and unknown fields', async () => {
    const { customer, walletId } = await walletWith(0);
    const body = bookingOf('flight', flightOffer, walletId);
    const noKey = await t.http().post('/api/bookings').set(bearer(customer.key)).send(body).expect(400);
    expect(noKey.body.code).toBe('idempotency_key_required');
    const cases: Array<[string, object]> = [
      ['type', { ...body, type: 'train' }],
      ['wallet_id', { ...body, wallet_id: 'x' }],
      ['offer_id', { ...body, offer_id: '' }],
      ['traveler.email', { ...body, traveler: { ...body.traveler, email: 'nope' } }],
      ['traveler.last_name', { ...body, traveler: { first_name: 'A', email: 'a@example.com' } }],
      ['traveler', { type: 'flight', offer_id: flightOffer.id, wallet_id: walletId }],
      ['seat', { ...body, seat: '1A' }],
    ];
    for (const [field, bad] of cases) {
      const res = await book(t, customer.key, bad).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});

describe('bookings whose job was lost (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Its own queue, so that pausing this app's worker leaves no other test app to take the job.
    t = await createTestApp({
      config: { BOOKING_JOB_BACKOFF_MS: 20, REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}:lost` },
    });
  });
  afterAll(() => t.close());

  it('a pending booking whose job was lost is found and queued again, then completes', async () => {
    const queue = t.app.get<Queue>(getQueueToken(BOOKING_QUEUE));
    const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
    const auth = bearer(customer.key);
    const offers = await t
      .http()
      .get('/api/flights/offers')
      .query({ origin: 'AMS', destination: 'JFK', departure_date: inDays(20), adults: 1 })
      .expect(200);

    await queue.pause(true);
    const res = await book(t, customer.key, bookingOf('flight', offers.body.offers[0], walletId)).expect(202);
    // Enqueued after the commit, without the request waiting for it.
    const job = await eventually(
      () => queue.getJob(res.body.id),
      (queued) => queued !== null,
      10_000,
    );
    expect(job).not.toBeNull();
    await job!.remove(); // the job is lost
    await queue.resume(true);

    // What the sweeper picks: pending bookings older than its grace period; this test queues the
    // booking again itself, as the sweeper (off in test apps) would.
    const bookings = t.app.get<BookingRepository>(BOOKING_REPOSITORY);
    const createdAt = Date.parse(res.body.created_at);
    expect(await bookings.findPending(new Date(createdAt), 1000)).not.toContain(res.body.id);
    expect(await bookings.findPending(new Date(createdAt + 1), 1000)).toContain(res.body.id);
    await t.app.get(BookingQueue).ensureQueued(res.body.id);

    const status = await eventually(
      async () => (await t.http().get(`/api/bookings/${res.body.id}`).set(auth).expect(200)).body.status,
      (now) => now !== 'pending',
      10_000,
    );
    expect(status).toBe('confirmed');
  });
});
