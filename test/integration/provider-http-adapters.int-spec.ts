import Redis from 'ioredis';
import { HotelBookingHandler } from '../../src/modules/provider/application/hotel-booking.handler';
import {
  OutcomeUnknownError,
  ProviderUnavailableError,
} from '../../src/modules/provider/domain/provider.errors';
import type { BookingRequest, Traveler } from '../../src/modules/provider/domain/travel-provider';
import { AmadeusHttpAdapter } from '../../src/modules/provider/infrastructure/amadeus/amadeus-http.adapter';
import { BookingComHttpAdapter } from '../../src/modules/provider/infrastructure/booking-com/booking-com-http.adapter';
import { ProviderHttpClient } from '../../src/modules/provider/infrastructure/http/provider-http.client';
import { SearchedOffers } from '../../src/modules/provider/infrastructure/http/searched-offers';
import { FakeTravelApis, PARIS_CITY_ID } from '../support/fake-travel-apis';

/**
 * The live adapters against local stand-ins of the two provider APIs that refuse whatever the
 * providers' published documents refuse (see fake-travel-apis.ts): a request the adapters get wrong
 * is an error answer here, as it would be there.
 */
const client = (
  api: FakeTravelApis,
  provider: string,
  timeoutMs = 2000,
  sleep?: (ms: number) => Promise<void>,
) =>
  new ProviderHttpClient({ provider, baseUrl: api.url, timeoutMs, baseDelayMs: 10, maxDelayMs: 2000, sleep });

const flightSearch = {
  kind: 'flight',
  origin: 'JFK',
  destination: 'LHR',
  departureDate: '2099-12-24',
  adults: 1,
} as const;
const hotelSearch = {
  kind: 'hotel',
  city: 'PAR',
  checkIn: '2099-12-24',
  checkOut: '2099-12-27',
  guests: 2,
} as const;
const ada: Traveler = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '+33612345678',
  dateOfBirth: '1990-04-21',
};
const charles: Traveler = {
  firstName: 'Charles',
  lastName: 'Babbage',
  email: 'cb@example.com',
  dateOfBirth: '1991-12-26',
};
const credentials = { clientId: FakeTravelApis.CLIENT_ID, clientSecret: FakeTravelApis.CLIENT_SECRET };

const redis = new Redis(process.env.REDIS_URL as string);
afterAll(() => redis.quit());

describe('Amadeus HTTP adapter against a local Amadeus', () => {
  let api: FakeTravelApis;
  let clock: number;
  let amadeus: AmadeusHttpAdapter;
  const adapter = (http: ProviderHttpClient, now?: () => number) =>
    new AmadeusHttpAdapter(
      http,
      credentials,
      {
        currency: 'EUR',
        offers: new SearchedOffers(redis, `${process.env.REDIS_KEY_PREFIX}:it:amadeus-offers`, 600),
      },
      now,
    );

  beforeEach(async () => {
    api = await new FakeTravelApis().start();
    clock = Date.now();
    amadeus = adapter(client(api, 'Amadeus'), () => clock);
  });
  afterEach(() => api.stop());

  it('fetches one client-credentials token and reuses it while it is valid', async () => {
    const offers = await amadeus.search(flightSearch);
    await amadeus.price(offers[0].id);
    await amadeus.search(flightSearch);

    expect(api.tokensIssued).toBe(1);
    const [tokenCall] = api.calls('POST /v1/security/oauth2/token');
    expect(tokenCall.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenCall.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: FakeTravelApis.CLIENT_ID,
      client_secret: FakeTravelApis.CLIENT_SECRET,
    });
    const search = api.calls('GET /v2/shopping/flight-offers');
    expect(search).toHaveLength(2);
    expect(search.every((r) => r.headers.authorization === 'Bearer token-1')).toBe(true);
  });

  it("searches in the service's currency, not the account's default", async () => {
    const offers = await amadeus.search(flightSearch);

    expect(Object.fromEntries(api.calls('GET /v2/shopping/flight-offers')[0].query)).toMatchObject({
      originLocationCode: 'JFK',
      destinationLocationCode: 'LHR',
      departureDate: '2099-12-24',
      adults: '1',
      currencyCode: 'EUR',
    });
    expect(offers.map((o) => o.price)).toEqual([
      { amount: 35534n, currency: 'EUR' },
      { amount: 41200n, currency: 'EUR' },
    ]);
  });

  it('fetches a second token once the first is about to expire', async () => {
    api.tokenLifetimeSeconds = 10;
    await amadeus.search(flightSearch);
    clock += 8_000;
    await amadeus.search(flightSearch);
    expect(api.tokensIssued).toBe(1);
    clock += 1_500; // inside the last tenth of the lifetime: refreshed early
    await amadeus.search(flightSearch);
    expect(api.tokensIssued).toBe(2);
    expect(api.calls('GET /v2/shopping/flight-offers').map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('on a 401 fetches a fresh token and repeats the call once', async () => {
    await amadeus.search(flightSearch);
    api.revokeTokens();
    const offers = await amadeus.search(flightSearch);
    expect(offers).toHaveLength(2);
    expect(api.tokensIssued).toBe(2);
  });

  it("reads the token endpoint's own error shape ({ error, error_description })", async () => {
    const wrong = new AmadeusHttpAdapter(
      client(api, 'Amadeus'),
      { ...credentials, clientSecret: 'nope' },
      { currency: 'EUR', offers: new SearchedOffers(redis, 'unused', 60) },
    );
    await expect(wrong.search(flightSearch)).rejects.toMatchObject({
      code: 'provider_unavailable',
      message: 'Amadeus token request failed: 401 invalid_client Client credentials are invalid',
    });
  });

  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    // The client's waits are recorded instead of slept.
    const waits: number[] = [];
    const patient = adapter(
      client(api, 'Amadeus', 2000, async (ms) => void waits.push(ms)),
      () => clock,
    );
    await patient.search(flightSearch);
    api.failNext('GET /v2/shopping/flight-offers', { status: 429, headers: { 'retry-after': '1' } });
    const offers = await patient.search(flightSearch);
    expect(waits).toEqual([1000]);
    expect(offers).toHaveLength(2);
    expect(api.calls('GET /v2/shopping/flight-offers')).toHaveLength(3);
  });

  it('retries a 500 and succeeds on the next attempt; gives up after three 503s', async () => {
    api.failNext('GET /v2/shopping/flight-offers', { status: 500 });
    expect(await amadeus.search(flightSearch)).toHaveLength(2);
    api.failNext('GET /v2/shopping/flight-offers', { status: 503 }, { status: 503 }, { status: 503 });
    await expect(amadeus.search(flightSearch)).rejects.toMatchObject({ code: 'provider_unavailable' });
    expect(api.calls('GET /v2/shopping/flight-offers')).toHaveLength(5);
  });

  it('prices the very offer searched (no second search), with the method override, as application/vnd.amadeus+json', async () => {
    const [offer] = await amadeus.search({ ...flightSearch, adults: 2 });
    const priced = await amadeus.price(offer.id);

    expect(priced.offer).toMatchObject({
      id: offer.id,
      price: { amount: 2n * 35534n + 476n, currency: 'EUR' },
    });
    expect(api.calls('GET /v2/shopping/flight-offers')).toHaveLength(1);
    const [pricing] = api.calls('POST /v1/shopping/flight-offers/pricing');
    expect(pricing.headers['x-http-method-override']).toBe('GET');
    expect(pricing.headers['content-type']).toBe('application/vnd.amadeus+json');
    expect(api.answers.find((a) => a.route === 'POST /v1/shopping/flight-offers/pricing')?.status).toBe(200);
    // One traveller per adult; the phone for the contact, each one's date of birth, as bookingRequirements said.
    expect(priced.travelers).toEqual({ min: 2, max: 2 });
    expect(priced.requiredFields).toEqual([['phone', 'date_of_birth'], ['date_of_birth']]);
  });

  it('books two adults exactly as priced, one traveler per travelerPricings id, with what the pricing required', async () => {
    api.travelerRequirements = [
      { dateOfBirthRequired: true, genderRequired: true },
      { dateOfBirthRequired: true },
    ];
    const [offer] = await amadeus.search({ ...flightSearch, adults: 2 });
    const priced = await amadeus.price(offer.id);
    expect(priced.requiredFields).toEqual([['phone', 'date_of_birth', 'gender'], ['date_of_birth']]);

    const booking = await amadeus.book({
      reference: 'b-1',
      priced: priced.priced,
      travelers: [{ ...ada, gender: 'female' }, charles],
    });

    expect(booking).toEqual({
      reference: 'b-1',
      providerBookingId: 'eJzTd9f3NjIJdzUBAAtXAmA1',
      confirmationCode: 'QVH2B1',
      total: priced.offer.price,
    });
    const [create] = api.calls('POST /v1/booking/flight-orders');
    expect(create.headers['content-type']).toBe('application/vnd.amadeus+json');
    expect(api.flightOrders[0].travelers).toEqual([
      {
        id: '1',
        dateOfBirth: '1990-04-21',
        gender: 'FEMALE',
        name: { firstName: 'Ada', lastName: 'Lovelace' },
        contact: {
          emailAddress: 'ada@example.com',
          phones: [{ deviceType: 'MOBILE', countryCallingCode: '33', number: '612345678' }],
        },
      },
      {
        id: '2',
        dateOfBirth: '1991-12-26',
        name: { firstName: 'Charles', lastName: 'Babbage' },
        contact: { emailAddress: 'cb@example.com' },
      },
    ]);
    expect(JSON.stringify(api.flightOrders[0].remarks)).toContain('b-1');
  });

  it('a booking missing what the pricing required is refused by Amadeus (the service checks it before)', async () => {
    const [offer] = await amadeus.search(flightSearch);
    const priced = await amadeus.price(offer.id);
    await expect(
      amadeus.book({
        reference: 'b-x',
        priced: priced.priced,
        travelers: [{ ...ada, dateOfBirth: undefined }],
      }),
    ).rejects.toMatchObject({
      code: 'booking_refused',
      message: expect.stringContaining('MANDATORY DATA MISSING'),
    });
    expect(api.flightOrders).toHaveLength(0);
  });

  it('reports the total the order was made at: above or below the priced one', async () => {
    const [offer] = await amadeus.search(flightSearch);
    const priced = await amadeus.price(offer.id);
    api.orderDelta = 1_000n;
    const dearer = await amadeus.book({ reference: 'b-up', priced: priced.priced, travelers: [ada] });
    api.orderDelta = -500n;
    const cheaper = await amadeus.book({ reference: 'b-down', priced: priced.priced, travelers: [ada] });
    expect([dearer.total.amount, cheaper.total.amount]).toEqual([
      priced.offer.price.amount + 1_000n,
      priced.offer.price.amount - 500n,
    ]);
  });

  it('maps a sell failure to booking_refused, and an offer it never searched to offer_unavailable', async () => {
    const [offer] = await amadeus.search(flightSearch);
    const priced = await amadeus.price(offer.id);
    await expect(
      amadeus.book({ reference: 'b-2', priced: priced.priced, travelers: [{ ...ada, lastName: 'Soldout' }] }),
    ).rejects.toMatchObject({ code: 'booking_refused' });
    await expect(amadeus.price('ama.bm9uc2Vuc2U')).rejects.toMatchObject({ code: 'offer_unavailable' });
    const forged = offer.id.replace(/\.(.*)$/, (_, p: string) => {
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      return `.${Buffer.from(JSON.stringify({ ...payload, offer: 'x'.repeat(43) })).toString('base64url')}`;
    });
    await expect(amadeus.price(forged)).rejects.toMatchObject({ code: 'offer_unavailable' });
    expect(api.flightOrders).toHaveLength(0);
  });

  it('does not repeat an order creation that timed out, and cannot look it up: the outcome is unknown', async () => {
    const slow = adapter(client(api, 'Amadeus', 1000));
    const [offer] = await slow.search(flightSearch);
    const priced = await slow.price(offer.id);
    api.failNext('POST /v1/booking/flight-orders', { delayMs: 2000 });
    const error = await slow
      .book({ reference: 'b-3', priced: priced.priced, travelers: [ada] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).ambiguous).toBe(true);
    await expect(slow.findBooking('b-3')).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(api.calls('POST /v1/booking/flight-orders')).toHaveLength(1);
  });

  it('cancels an order through Flight Order Management (DELETE), once', async () => {
    const [offer] = await amadeus.search(flightSearch);
    const priced = await amadeus.price(offer.id);
    const made = await amadeus.book({ reference: 'b-4', priced: priced.priced, travelers: [ada] });

    await amadeus.cancel(made);
    await expect(amadeus.cancel(made)).rejects.toMatchObject({ code: 'booking_not_cancellable' });

    expect(api.calls(`DELETE /v1/booking/flight-orders/${made.providerBookingId}`)).toHaveLength(2);
    expect(api.flightOrders[0].deleted).toBe(true);
  });
});

describe('Booking.com HTTP adapter against a local Demand API', () => {
  let api: FakeTravelApis;
  let booking: BookingComHttpAdapter;
  const keys = { token: FakeTravelApis.BOOKING_TOKEN, affiliateId: FakeTravelApis.AFFILIATE_ID };
  const adapter = (http: ProviderHttpClient) => new BookingComHttpAdapter(http, keys, { currency: 'EUR' });

  beforeEach(async () => {
    api = await new FakeTravelApis().start();
    booking = adapter(client(api, 'Booking.com'));
  });
  afterEach(() => api.stop());

  it("searches Booking.com's numeric city id with the bearer token and the affiliate id, online payment only", async () => {
    const offers = await booking.search(hotelSearch);
    expect(offers).toHaveLength(1);
    expect(offers[0].price).toEqual({ amount: 3n * 17077n, currency: 'EUR' });
    const [call] = api.calls('POST /3.1/accommodations/search');
    expect(call.headers.authorization).toBe(`Bearer ${FakeTravelApis.BOOKING_TOKEN}`);
    expect(call.headers['x-affiliate-id']).toBe(FakeTravelApis.AFFILIATE_ID);
    expect(call.json).toMatchObject({
      city: PARIS_CITY_ID,
      checkin: '2099-12-24',
      checkout: '2099-12-27',
      currency: 'EUR',
      guests: {
        number_of_adults: 2,
        number_of_rooms: 1,
        allocation: [{ number_of_adults: 2, children: [] }],
      },
      booker: { country: 'us', platform: 'desktop' },
      payment: { timing: 'pay_online' },
      extras: ['products'],
    });
    expect(call.json).not.toHaveProperty('airport');
  });

  it('a city without a Booking.com id is offer_unavailable, and nothing is sent', async () => {
    await expect(booking.search({ ...hotelSearch, city: 'XYZ' })).rejects.toMatchObject({
      code: 'offer_unavailable',
    });
    expect(api.requests).toHaveLength(0);
  });

  it('prices a multi-room stay per room: one product and allocation each, the total of all', async () => {
    const [offer] = await booking.search({ ...hotelSearch, guests: 3 });
    expect(offer.price.amount).toBe(3n * (17077n + 12000n));
    const priced = await booking.price(offer.id);
    expect(priced.offer.price).toEqual({ amount: 3n * (17077n + 12000n), currency: 'EUR' });
    expect(api.calls('POST /3.1/orders/preview')[0].json).toMatchObject({
      currency: 'EUR',
      accommodation: {
        id: 10507360,
        products: [
          { id: '1050736002_377311511_0_2_0', allocation: { number_of_adults: 2, children: [] } },
          { id: '1050736001_377311512_0_1_0', allocation: { number_of_adults: 1, children: [] } },
        ],
      },
    });
    expect(priced.travelers).toEqual({ min: 1, max: 3 });
    expect(priced.requiredFields).toEqual([['phone']]);
  });

  it("prices in the accommodation's currency when the booker currency is null", async () => {
    api.convertsToBookerCurrency = false;
    const [offer] = await booking.search(hotelSearch);
    expect((await booking.price(offer.id)).offer.price).toEqual({ amount: 3n * 17077n, currency: 'EUR' });
  });

  it('a stay that would leave something to pay at the property is not sold', async () => {
    const [offer] = await booking.search(hotelSearch);
    api.paymentTimings = ['pay_at_the_property'];
    await expect(booking.price(offer.id)).rejects.toMatchObject({ code: 'offer_unavailable' });
    api.paymentTimings = ['pay_online_now'];
    api.paymentMethodRequired = true;
    await expect(booking.price(offer.id)).rejects.toMatchObject({ code: 'offer_unavailable' });
  });

  it('books with the booker telephone, paid online now, our reference as the label, and reads order and reservation', async () => {
    const [offer] = await booking.search(hotelSearch);
    const priced = await booking.price(offer.id);
    const made = await booking.book({ reference: 'h-1', priced: priced.priced, travelers: [ada, charles] });

    expect(made).toEqual({
      reference: 'h-1',
      providerBookingId: '900001',
      confirmationCode: '4000001',
      total: priced.offer.price,
    });
    expect(api.calls('POST /3.1/orders/create')[0].json).toEqual({
      order_token: 'order-token-1',
      booker: {
        address: { country: 'us' },
        email: 'ada@example.com',
        language: 'en-us',
        name: { first_name: 'Ada', last_name: 'Lovelace' },
        telephone: '+33612345678',
      },
      accommodation: {
        label: 'h-1',
        products: [
          { id: '1050736002_377311511_0_2_0', guests: [{ email: 'ada@example.com', name: 'Ada Lovelace' }] },
        ],
      },
      payment: { timing: 'pay_online_now' },
    });
    expect(await booking.findBooking('h-1', priced.priced)).toEqual(made);
  });

  it('looks an order up by our label: orders created since the pricing (7-day window, currency), then their details', async () => {
    const [offer] = await booking.search(hotelSearch);
    const priced = await booking.price(offer.id);
    const made = await booking.book({ reference: 'h-2', priced: priced.priced, travelers: [ada] });

    expect(await booking.findBooking('h-2', priced.priced)).toEqual(made);
    expect(await booking.findBooking('h-unknown', priced.priced)).toBeNull();

    const [details] = api.calls('POST /3.1/orders/details');
    const window = (details.json as { created: { from: string; to: string } }).created;
    expect(Date.parse(window.to) - Date.parse(window.from)).toBeLessThanOrEqual(7 * 86_400_000);
    expect(details.json).toMatchObject({ currency: 'EUR' });
    expect(api.calls('POST /3.1/orders/details/accommodations')[0].json).toEqual({
      orders: ['900001'],
      currency: 'EUR',
    });
    expect(
      api.answers.filter((a) => a.route.startsWith('POST /3.1/orders/details')).map((a) => a.status),
    ).toEqual([200, 200, 200, 200]);
  });

  it('an order cancelled by the guest or the property, or a no-show, is not our booking any more', async () => {
    const [offer] = await booking.search(hotelSearch);
    const priced = await booking.price(offer.id);
    await booking.book({ reference: 'h-3', priced: priced.priced, travelers: [ada] });
    for (const status of ['cancelled_by_guest', 'cancelled_by_accommodation', 'no_show', 'cancelled']) {
      api.hotelOrders[0].status = status;
      expect(await booking.findBooking('h-3', priced.priced)).toBeNull();
    }
  });

  it('after a create that timed out but happened, looks the order up instead of booking twice', async () => {
    const slow = new HotelBookingHandler(adapter(client(api, 'Booking.com', 1000)));
    const [offer] = await slow.search(hotelSearch);
    const priced = await slow.price(offer.id);
    const request: BookingRequest = { reference: 'h-4', priced: priced.priced, travelers: [ada] };
    api.failNext('POST /3.1/orders/create', { delayMs: 2000 });

    const error = await slow.bookOnce(request, false).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider_unavailable', ambiguous: true });

    const retried = await slow.bookOnce(request, true);
    expect(retried).toMatchObject({
      reference: 'h-4',
      providerBookingId: '900001',
      confirmationCode: '4000001',
    });
    expect(api.calls('POST /3.1/orders/create')).toHaveLength(1);
    expect(api.hotelOrders).toHaveLength(1);
  });

  it('a 503 on create is retried (nothing was booked); a 500 is not repeated blindly; a refusal is booking_refused', async () => {
    const [offer] = await booking.search(hotelSearch);
    api.failNext('POST /3.1/orders/create', { status: 503 });
    await booking.book({
      reference: 'h-5',
      priced: (await booking.price(offer.id)).priced,
      travelers: [ada],
    });
    expect(api.calls('POST /3.1/orders/create')).toHaveLength(2);

    api.failNext('POST /3.1/orders/create', { status: 500 });
    const second = (await booking.price(offer.id)).priced;
    await expect(booking.book({ reference: 'h-6', priced: second, travelers: [ada] })).rejects.toMatchObject({
      code: 'provider_unavailable',
      ambiguous: true,
    });
    expect(api.calls('POST /3.1/orders/create')).toHaveLength(3);

    const third = (await booking.price(offer.id)).priced;
    await expect(
      booking.book({ reference: 'h-7', priced: third, travelers: [{ ...ada, lastName: 'Soldout' }] }),
    ).rejects.toMatchObject({ code: 'booking_refused' });
    expect(api.hotelOrders.map((o) => o.label)).toEqual(['h-5']);
  });

  it('cancels through orders/cancel, once', async () => {
    const [offer] = await booking.search(hotelSearch);
    const made = await booking.book({
      reference: 'h-8',
      priced: (await booking.price(offer.id)).priced,
      travelers: [ada],
    });

    await booking.cancel(made);
    await expect(booking.cancel(made)).rejects.toMatchObject({ code: 'booking_not_cancellable' });

    expect(api.calls('POST /3.1/orders/cancel')[0].json).toEqual({
      order: '900001',
      reason: expect.any(String),
    });
    expect(api.hotelOrders[0].status).toBe('cancelled_by_guest');
  });

  it('wrong credentials are provider_unavailable, not a refusal', async () => {
    const wrong = new BookingComHttpAdapter(
      client(api, 'Booking.com'),
      { ...keys, token: 'nope' },
      { currency: 'EUR' },
    );
    await expect(wrong.search(hotelSearch)).rejects.toMatchObject({ code: 'provider_unavailable' });
  });
});
