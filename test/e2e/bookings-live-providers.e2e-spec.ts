import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { FakeTravelApis } from '../support/fake-travel-apis';
import { ADMIN_KEY, createTestApp, TestApp } from '../support/test-app';
import { book, bookingOf, settledBooking, traveler } from '../support/booking-fixtures';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

/**
 * PROVIDER_MODE=live against local stand-ins of the two provider APIs that refuse what the
 * providers' published documents refuse (see fake-travel-apis.ts): the queue job, the adapters and
 * their HTTP clients all real. Each flow counts the provider's create calls and the ledger entries
 * of the booking, so that no path books twice and none refunds a booking whose outcome is unknown.
 */
describe('bookings with live provider adapters (e2e)', () => {
  let api: FakeTravelApis;
  let t: TestApp;
  let customer: { id: string; key: string };
  const ada = traveler();
  const charles = {
    first_name: 'Charles',
    last_name: 'Babbage',
    email: 'cb@example.com',
    date_of_birth: '1991-12-26',
  };
  /** Amadeus prices 476 above the searched 355.34 per adult (see the stand-in). */
  const FLIGHT_PRICE = 35534 + 476;
  const HOTEL_PRICE = 3 * 17077;

  beforeAll(async () => {
    api = await new FakeTravelApis().start();
    t = await createTestApp({
      config: {
        PROVIDER_MODE: 'live',
        AMADEUS_BASE_URL: api.url,
        AMADEUS_CLIENT_ID: FakeTravelApis.CLIENT_ID,
        AMADEUS_CLIENT_SECRET: FakeTravelApis.CLIENT_SECRET,
        BOOKING_BASE_URL: api.url,
        BOOKING_API_TOKEN: FakeTravelApis.BOOKING_TOKEN,
        BOOKING_AFFILIATE_ID: FakeTravelApis.AFFILIATE_ID,
        // Its own queue: workers of sandbox apps in parallel test files must not take these jobs.
        REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}:live`,
        PROVIDER_TIMEOUT_MS: 1000,
        BOOKING_JOB_ATTEMPTS: 3,
        BOOKING_JOB_BACKOFF_MS: 100,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await api.stop();
  });
  beforeEach(() => {
    api.orderDelta = 0n;
  });

  async function fundedWallet(amount: number): Promise<string> {
    const made = await customerWithWallet(t, amount, 'EUR');
    customer = made.customer;
    return made.walletId;
  }

  const settled = (id: string) => settledBooking(t, id, customer, 20_000);

  const ledgerOf = (bookingId: string) =>
    t.app.get(DataSource).query(
      `SELECT type, amount::int AS amount FROM wallet_transactions
          WHERE reference_type = 'booking' AND reference_id = $1 ORDER BY created_at, id`,
      [bookingId],
    ) as Promise<Array<{ type: string; amount: number }>>;

  const balance = async (walletId: string) =>
    (await t.http().get(`/api/wallets/${walletId}`).set(bearer(customer.key)).expect(200)).body
      .balance as number;

  async function flightOffer(adults = 1, date = '2099-12-24'): Promise<string> {
    const res = await t
      .http()
      .get('/api/flights/offers')
      .query({ origin: 'JFK', destination: 'LHR', departure_date: date, adults })
      .expect(200);
    expect(res.body.provider).toBe('Amadeus');
    return res.body.offers[0].id as string;
  }

  async function hotelOffer(): Promise<string> {
    const res = await t
      .http()
      .get('/api/hotels/offers')
      .query({ city: 'PAR', check_in: '2099-12-24', check_out: '2099-12-27', guests: 2 })
      .expect(200);
    expect(res.body.provider).toBe('Booking.com');
    return res.body.offers[0].id as string;
  }

  /** A flight booking whose create times out (the order is made, the answer lost): action_required. */
  async function parkedFlight(walletId: string): Promise<string> {
    const offerId = await flightOffer();
    api.failNext('POST /v1/booking/flight-orders', { delayMs: 2000 });
    const res = await book(t, customer.key, bookingOf('flight', { id: offerId }, walletId)).expect(202);
    expect(await settled(res.body.id)).toMatchObject({ status: 'action_required' });
    return res.body.id as string;
  }

  it('books two adults through Amadeus at the priced amount, with what the pricing required of each', async () => {
    const offerId = await flightOffer(2);
    const walletId = await fundedWallet(200_000);
    const creates = api.calls('POST /v1/booking/flight-orders').length;

    const res = await book(t, customer.key, {
      type: 'flight',
      offer_id: offerId,
      wallet_id: walletId,
      traveler: ada,
      travelers: [charles],
    }).expect(202);

    expect(res.body).toMatchObject({
      provider: 'Amadeus',
      amount: 2 * 35534 + 476,
      currency: 'EUR',
      status: 'pending',
    });
    const done = await settled(res.body.id);
    expect(done).toMatchObject({
      status: 'confirmed',
      confirmation_code: expect.stringMatching(/^QVH2B\d+$/),
    });
    expect(done.provider_reference).toBe(api.flightOrders.at(-1)!.id);
    expect(done.travelers).toEqual([ada, charles]);
    expect(api.calls('POST /v1/booking/flight-orders')).toHaveLength(creates + 1);
    expect(api.flightOrders.at(-1)!.travelers.map((x: { id: string }) => x.id)).toEqual(['1', '2']);
    expect(await ledgerOf(res.body.id)).toEqual([{ type: 'debit', amount: 2 * 35534 + 476 }]);
  });

  it('travellers lacking what the pricing requires: 422 traveler_details_required naming each, nothing debited', async () => {
    const offerId = await flightOffer(2);
    const walletId = await fundedWallet(200_000);

    const res = await book(t, customer.key, {
      type: 'flight',
      offer_id: offerId,
      wallet_id: walletId,
      traveler: { ...ada, phone: undefined },
      travelers: [{ ...charles, date_of_birth: undefined }],
    }).expect(422);

    expect(res.body).toMatchObject({
      code: 'traveler_details_required',
      errors: [
        { field: 'traveler.phone', message: expect.any(String) },
        { field: 'travelers[0].date_of_birth', message: expect.any(String) },
      ],
    });
    const one = await book(t, customer.key, bookingOf('flight', { id: offerId }, walletId)).expect(422);
    expect(one.body.errors).toEqual([
      { field: 'travelers', message: 'this offer takes 2 travellers, not 1' },
    ]);
    expect(await balance(walletId)).toBe(200_000);
  });

  it('a create that timed out and cannot be looked up: action_required, one create, no refund; then resolved as booked', async () => {
    const walletId = await fundedWallet(100_000);
    const creates = api.calls('POST /v1/booking/flight-orders').length;
    const id = await parkedFlight(walletId);

    expect(api.calls('POST /v1/booking/flight-orders')).toHaveLength(creates + 1);
    expect(await ledgerOf(id)).toEqual([{ type: 'debit', amount: FLIGHT_PRICE }]);
    const listed = await t
      .http()
      .get('/api/admin/bookings')
      .query({ status: 'action_required' })
      .set(bearer(ADMIN_KEY()))
      .expect(200);
    expect(listed.body.data.map((b: { id: string }) => b.id)).toContain(id);
    expect(listed.body.data.every((b: { status: string }) => b.status === 'action_required')).toBe(true);

    const order = api.flightOrders.at(-1)!;
    const key = randomUUID();
    const resolve = () =>
      t
        .http()
        .post(`/api/admin/bookings/${id}/resolve`)
        .set(bearer(ADMIN_KEY()))
        .set('Idempotency-Key', key)
        .send({ confirmation_code: order.reference, provider_reference: order.id });
    const resolved = await resolve().expect(200);
    expect(resolved.body).toMatchObject({
      status: 'confirmed',
      confirmation_code: order.reference,
      provider_reference: order.id,
    });
    expect((await resolve().expect(200)).headers['idempotent-replayed']).toBe('true');
    await t
      .http()
      .post(`/api/admin/bookings/${id}/resolve`)
      .set(bearer(ADMIN_KEY()))
      .set('Idempotency-Key', randomUUID())
      .send({ failed: true })
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('booking_not_resolvable'));
    expect(await ledgerOf(id)).toEqual([{ type: 'debit', amount: FLIGHT_PRICE }]);
    // Resolving is the admin's: a customer key is refused.
    await t
      .http()
      .post(`/api/admin/bookings/${id}/resolve`)
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ failed: true })
      .expect(403);
  });

  it('an action_required booking resolved as not booked is refunded once, however often the resolve is sent', async () => {
    const walletId = await fundedWallet(100_000);
    const id = await parkedFlight(walletId);

    const answers = await Promise.all(
      [randomUUID(), randomUUID(), randomUUID()].map((key) =>
        t
          .http()
          .post(`/api/admin/bookings/${id}/resolve`)
          .set(bearer(ADMIN_KEY()))
          .set('Idempotency-Key', key)
          .send({ failed: true }),
      ),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect(await ledgerOf(id)).toEqual([
      { type: 'debit', amount: FLIGHT_PRICE },
      { type: 'credit', amount: FLIGHT_PRICE },
    ]);
    expect(await balance(walletId)).toBe(100_000);
  });

  it('booked above the debit: cancelled at Amadeus, failed as price_changed, refunded once', async () => {
    const offerId = await flightOffer();
    const walletId = await fundedWallet(100_000);
    api.orderDelta = 1_000n;

    const res = await book(t, customer.key, bookingOf('flight', { id: offerId }, walletId)).expect(202);

    expect(await settled(res.body.id)).toMatchObject({ status: 'failed', failure_reason: 'price_changed' });
    const order = api.flightOrders.at(-1)!;
    expect(order.deleted).toBe(true);
    expect(api.calls(`DELETE /v1/booking/flight-orders/${order.id}`)).toHaveLength(1);
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: FLIGHT_PRICE },
      { type: 'credit', amount: FLIGHT_PRICE },
    ]);
    expect(await balance(walletId)).toBe(100_000);
  });

  it('booked below the debit: confirmed at the lower amount, the difference refunded once', async () => {
    const offerId = await flightOffer();
    const walletId = await fundedWallet(100_000);
    api.orderDelta = -500n;

    const res = await book(t, customer.key, bookingOf('flight', { id: offerId }, walletId)).expect(202);

    expect(await settled(res.body.id)).toMatchObject({ status: 'confirmed', amount: FLIGHT_PRICE - 500 });
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: FLIGHT_PRICE },
      { type: 'credit', amount: 500 },
    ]);
    expect(await balance(walletId)).toBe(100_000 - FLIGHT_PRICE + 500);
  });

  it('a hotel order that timed out but was made is found by our label on the retry, never made twice', async () => {
    const offerId = await hotelOffer();
    const walletId = await fundedWallet(100_000);
    const creates = api.calls('POST /3.1/orders/create').length;
    api.failNext('POST /3.1/orders/create', { delayMs: 2000 });

    const res = await book(t, customer.key, bookingOf('hotel', { id: offerId }, walletId)).expect(202);
    expect(res.body).toMatchObject({ provider: 'Booking.com', amount: HOTEL_PRICE });

    const done = await settled(res.body.id);
    const order = api.hotelOrders.find((o) => o.label === res.body.id)!;
    expect(done).toMatchObject({
      status: 'confirmed',
      confirmation_code: String(order.reservation),
      provider_reference: order.id,
    });
    expect(api.calls('POST /3.1/orders/create')).toHaveLength(creates + 1);
    expect(api.hotelOrders.filter((o) => o.label === res.body.id)).toHaveLength(1);
    expect(order.booker.telephone).toBe(ada.phone);
    expect(order.payment).toEqual({ timing: 'pay_online_now' });
    expect(await ledgerOf(res.body.id)).toEqual([{ type: 'debit', amount: HOTEL_PRICE }]);
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT outcome_unknown FROM bookings WHERE id = $1`, [res.body.id]);
    expect(row.outcome_unknown).toBe(true);
  });

  it('a hotel booker without a phone is 422 traveler_details_required', async () => {
    const offerId = await hotelOffer();
    const walletId = await fundedWallet(100_000);
    const res = await book(t, customer.key, {
      type: 'hotel',
      offer_id: offerId,
      wallet_id: walletId,
      traveler: { ...ada, phone: undefined },
    }).expect(422);
    expect(res.body.errors).toEqual([{ field: 'traveler.phone', message: expect.any(String) }]);
  });

  it('cancels a confirmed hotel booking at Booking.com and refunds it once; three concurrent cancels: one 200, two 409', async () => {
    const offerId = await hotelOffer();
    const walletId = await fundedWallet(100_000);
    const res = await book(t, customer.key, bookingOf('hotel', { id: offerId }, walletId)).expect(202);
    expect(await settled(res.body.id)).toMatchObject({ status: 'confirmed' });
    const cancels = api.calls('POST /3.1/orders/cancel').length;

    const answers = await Promise.all(
      [randomUUID(), randomUUID(), randomUUID()].map((key) =>
        t
          .http()
          .post(`/api/bookings/${res.body.id}/cancel`)
          .set(bearer(customer.key))
          .set('Idempotency-Key', key)
          .send(),
      ),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect(answers.find((a) => a.status === 200)!.body).toMatchObject({ status: 'cancelled' });
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual([
      'booking_not_cancellable',
      'booking_not_cancellable',
    ]);
    expect(api.calls('POST /3.1/orders/cancel')).toHaveLength(cancels + 1);
    expect(api.hotelOrders.find((o) => o.label === res.body.id)!.status).toBe('cancelled_by_guest');
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: HOTEL_PRICE },
      { type: 'credit', amount: HOTEL_PRICE },
    ]);
    expect(await balance(walletId)).toBe(100_000);
  });

  it('cancels a confirmed flight through Flight Order Management; a pending or failed one is not cancellable', async () => {
    const offerId = await flightOffer();
    const walletId = await fundedWallet(100_000);
    const res = await book(t, customer.key, bookingOf('flight', { id: offerId }, walletId)).expect(202);
    expect(await settled(res.body.id)).toMatchObject({ status: 'confirmed' });

    const cancelled = await t
      .http()
      .post(`/api/bookings/${res.body.id}/cancel`)
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .expect(200);

    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect(api.flightOrders.find((o) => o.id === cancelled.body.provider_reference)!.deleted).toBe(true);
    expect(await balance(walletId)).toBe(100_000);
    const parked = await parkedFlight(walletId);
    await t
      .http()
      .post(`/api/bookings/${parked}/cancel`)
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .expect(409);
  });

  it('a cancel that times out at the provider: 502, parked as action_required, not refunded, not sent again', async () => {
    const offerId = await flightOffer();
    const walletId = await fundedWallet(100_000);
    const res = await book(t, customer.key, bookingOf('flight', { id: offerId }, walletId)).expect(202);
    const done = await settled(res.body.id);
    expect(done).toMatchObject({ status: 'confirmed' });
    const route = `DELETE /v1/booking/flight-orders/${String(done.provider_reference)}`;
    api.failNext('DELETE /v1/booking/flight-orders/:id', { delayMs: 2000 });

    const cancel = () =>
      t
        .http()
        .post(`/api/bookings/${res.body.id}/cancel`)
        .set(bearer(customer.key))
        .set('Idempotency-Key', randomUUID());
    expect((await cancel().expect(502)).body.code).toBe('provider_unavailable');
    expect((await cancel().expect(409)).body.code).toBe('booking_not_cancellable');

    expect(await settled(res.body.id)).toMatchObject({
      status: 'action_required',
      failure_reason: expect.stringContaining('whether the provider cancelled is unknown'),
    });
    expect(api.calls(route)).toHaveLength(1);
    expect(api.flightOrders.find((o) => o.id === done.provider_reference)!.deleted).toBe(true);
    expect(await ledgerOf(res.body.id)).toEqual([{ type: 'debit', amount: FLIGHT_PRICE }]);
  });

  it('the provider down on every attempt, nothing booked: failed and refunded once', async () => {
    const offerId = await hotelOffer();
    const walletId = await fundedWallet(100_000);
    const orders = api.hotelOrders.length;
    // Every create of the job's three attempts finds the provider down (three tries each): a 503
    // proves that nothing was booked.
    api.failNext('POST /3.1/orders/create', ...Array.from({ length: 9 }, () => ({ status: 503 })));

    const res = await book(t, customer.key, bookingOf('hotel', { id: offerId }, walletId)).expect(202);

    expect(await settled(res.body.id)).toMatchObject({
      status: 'failed',
      failure_reason: expect.stringContaining('could not be reached'),
    });
    expect(await ledgerOf(res.body.id)).toEqual([
      { type: 'debit', amount: HOTEL_PRICE },
      { type: 'credit', amount: HOTEL_PRICE },
    ]);
    expect(api.hotelOrders).toHaveLength(orders);
  });

  it('every request the adapters sent was accepted by the stand-ins (none refused as malformed)', () => {
    const refused = api.answers.filter((a) => a.status >= 400);
    expect(refused).toEqual([]);
  });
});
