import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { FakeTravelApis } from '../support/fake-travel-apis';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

/**
 * PROVIDER_MODE=live against local stand-ins of the two provider APIs: the queue job, the adapters
 * and their HTTP clients all real.
 */
describe('bookings with live provider adapters (e2e)', () => {
  let api: FakeTravelApis;
  let t: TestApp;
  let customer: { id: string; key: string };
  const traveler = { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' };

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
        BOOKING_JOB_BACKOFF_MS: 1500,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await api.stop();
  });

  async function fundedWallet(amount: number): Promise<string> {
    const made = await customerWithWallet(t, amount, 'EUR');
    customer = made.customer;
    return made.walletId;
  }

  async function settled(id: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await t.http().get(`/api/bookings/${id}`).set(bearer(customer.key)).expect(200);
      if (res.body.status !== 'pending' || Date.now() > deadline) return res.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('searches and books a flight through Amadeus, at the re-priced amount', async () => {
    const offers = await t
      .http()
      .get('/api/flights/offers')
      .query({ origin: 'JFK', destination: 'LHR', departure_date: '2099-12-24', adults: 1 })
      .expect(200);
    expect(offers.body.provider).toBe('Amadeus');
    expect(offers.body.offers[0].price).toEqual({ amount: 35534, currency: 'EUR' });

    const walletId = await fundedWallet(100_000);
    const res = await t
      .http()
      .post('/api/bookings')
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ type: 'flight', offer_id: offers.body.offers[0].id, wallet_id: walletId, traveler })
      .expect(202);
    expect(res.body).toMatchObject({
      provider: 'Amadeus',
      amount: 36010,
      currency: 'EUR',
      status: 'pending',
    });
    expect(await settled(res.body.id)).toMatchObject({ status: 'confirmed', confirmation_code: 'QVH2B1' });
    expect(api.flightOrders).toHaveLength(1);
  });

  it('a hotel order that timed out but was made is found by our reference on the retry, never made twice', async () => {
    const offers = await t
      .http()
      .get('/api/hotels/offers')
      .query({ city: 'PAR', check_in: '2099-12-24', check_out: '2099-12-27', guests: 2 })
      .expect(200);
    const walletId = await fundedWallet(100_000);
    api.failNext('POST /3.1/orders/create', { delayMs: 2000 });

    const res = await t
      .http()
      .post('/api/bookings')
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ type: 'hotel', offer_id: offers.body.offers[0].id, wallet_id: walletId, traveler })
      .expect(202);
    expect(res.body).toMatchObject({ provider: 'Booking.com', amount: 53055 });

    expect(await settled(res.body.id)).toMatchObject({ status: 'confirmed', confirmation_code: '4000001' });
    expect(api.calls('POST /3.1/orders/create')).toHaveLength(1);
    expect(api.calls('POST /3.1/orders/details/accommodations')).toHaveLength(1);
    expect(api.hotelOrders.map((o) => o.label)).toEqual([res.body.id]);
    const balance = await t.http().get(`/api/wallets/${walletId}`).set(bearer(customer.key)).expect(200);
    expect(balance.body.balance).toBe(100_000 - 53055);
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT outcome_unknown FROM bookings WHERE id = $1`, [res.body.id]);
    expect(row.outcome_unknown).toBe(true);
  });

  it('the provider down on every attempt: failed and refunded', async () => {
    const offers = await t
      .http()
      .get('/api/hotels/offers')
      .query({ city: 'PAR', check_in: '2099-11-01', check_out: '2099-11-02', guests: 1 })
      .expect(200);
    const walletId = await fundedWallet(100_000);
    // Every preview of the job's three attempts finds the provider down (three tries each).
    api.failNext(
      'POST /3.1/orders/preview',
      { delayMs: 0 },
      ...Array.from({ length: 9 }, () => ({ status: 503 })),
    );

    const res = await t
      .http()
      .post('/api/bookings')
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ type: 'hotel', offer_id: offers.body.offers[0].id, wallet_id: walletId, traveler })
      .expect(202);
    const done = await settled(res.body.id);
    expect(done).toMatchObject({
      status: 'failed',
      failure_reason: expect.stringContaining('could not be reached'),
    });
    const balance = await t.http().get(`/api/wallets/${walletId}`).set(bearer(customer.key)).expect(200);
    expect(balance.body.balance).toBe(100_000);
    expect(api.hotelOrders).toHaveLength(1); // only the earlier test's
  });
});
