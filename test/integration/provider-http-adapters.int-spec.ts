import { HotelBookingHandler } from '../../src/modules/provider/application/hotel-booking.handler';
import { ProviderUnavailableError } from '../../src/modules/provider/domain/provider.errors';
import type { BookingRequest } from '../../src/modules/provider/domain/travel-provider';
import { AmadeusHttpAdapter } from '../../src/modules/provider/infrastructure/amadeus/amadeus-http.adapter';
import { BookingComHttpAdapter } from '../../src/modules/provider/infrastructure/booking-com/booking-com-http.adapter';
import { ProviderHttpClient } from '../../src/modules/provider/infrastructure/http/provider-http.client';
import { FakeTravelApis } from '../support/fake-travel-apis';

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
const traveler = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };

describe('Amadeus HTTP adapter against a local Amadeus', () => {
  let api: FakeTravelApis;
  let clock: number;
  let amadeus: AmadeusHttpAdapter;

  beforeEach(async () => {
    api = await new FakeTravelApis().start();
    clock = Date.now();
    amadeus = new AmadeusHttpAdapter(
      client(api, 'Amadeus'),
      { clientId: FakeTravelApis.CLIENT_ID, clientSecret: FakeTravelApis.CLIENT_SECRET },
      () => clock,
    );
  });
  afterEach(() => api.stop());

  it('fetches one client-credentials token and reuses it while it is valid', async () => {
    const offers = await amadeus.search(flightSearch);
    await amadeus.checkOffer(offers[0].id);
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
    expect(search).toHaveLength(3);
    expect(search.every((r) => r.headers.authorization === 'Bearer token-1')).toBe(true);
    expect(Object.fromEntries(search[0].query)).toMatchObject({
      originLocationCode: 'JFK',
      destinationLocationCode: 'LHR',
      departureDate: '2099-12-24',
      adults: '1',
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

  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    // The client's waits are recorded instead of slept.
    const waits: number[] = [];
    const patient = new AmadeusHttpAdapter(
      client(api, 'Amadeus', 2000, async (ms) => void waits.push(ms)),
      { clientId: FakeTravelApis.CLIENT_ID, clientSecret: FakeTravelApis.CLIENT_SECRET },
      () => clock,
    );
    await patient.search(flightSearch);
    api.failNext('GET /v2/shopping/flight-offers', { status: 429, headers: { 'retry-after': '1' } });
    const offers = await patient.search(flightSearch);
    expect(waits).toEqual([1000]);
    expect(offers).toHaveLength(2);
    expect(api.calls('GET /v2/shopping/flight-offers')).toHaveLength(3);
  });

  it('retries a 500 and succeeds on the next attempt', async () => {
    api.failNext('GET /v2/shopping/flight-offers', { status: 500 });
    expect(await amadeus.search(flightSearch)).toHaveLength(2);
    expect(api.calls('GET /v2/shopping/flight-offers')).toHaveLength(2);
  });

  it('gives up after three 503s with provider_unavailable', async () => {
    api.failNext('GET /v2/shopping/flight-offers', { status: 503 }, { status: 503 }, { status: 503 });
    await expect(amadeus.search(flightSearch)).rejects.toMatchObject({ code: 'provider_unavailable' });
    expect(api.calls('GET /v2/shopping/flight-offers')).toHaveLength(3);
  });

  it('prices the chosen itinerary and books it with the traveller and our reference', async () => {
    const [offer] = await amadeus.search(flightSearch);
    expect(await amadeus.checkOffer(offer.id)).toMatchObject({
      id: offer.id,
      price: { amount: 36010n, currency: 'EUR' },
    });
    expect(api.calls('POST /v1/shopping/flight-offers/pricing').at(-1)!.json).toMatchObject({
      data: {
        type: 'flight-offers-pricing',
        flightOffers: [{ itineraries: [{ segments: [{ number: '178' }] }] }],
      },
    });

    const booking = await amadeus.book({ reference: 'b-1', offerId: offer.id, traveler });
    expect(booking).toEqual({
      reference: 'b-1',
      providerBookingId: 'eJzTd9f3NjIJdzUBAAtXAmA1',
      confirmationCode: 'QVH2B1',
    });
    expect(api.flightOrders[0].travelers).toEqual([
      {
        id: '1',
        name: { firstName: 'Ada', lastName: 'Lovelace' },
        contact: { emailAddress: 'ada@example.com' },
      },
    ]);
    expect(JSON.stringify(api.flightOrders[0].remarks)).toContain('b-1');
  });

  it('maps a sell failure to booking_refused and an unknown itinerary to offer_unavailable', async () => {
    const [offer] = await amadeus.search(flightSearch);
    await expect(
      amadeus.book({ reference: 'b-2', offerId: offer.id, traveler: { ...traveler, lastName: 'Soldout' } }),
    ).rejects.toMatchObject({ code: 'booking_refused' });
    await expect(amadeus.checkOffer('ama.bm9uc2Vuc2U')).rejects.toMatchObject({ code: 'offer_unavailable' });
    expect(api.flightOrders).toHaveLength(0);
  });

  it('does not repeat an order creation that timed out', async () => {
    const slow = new AmadeusHttpAdapter(client(api, 'Amadeus', 1000), {
      clientId: FakeTravelApis.CLIENT_ID,
      clientSecret: FakeTravelApis.CLIENT_SECRET,
    });
    const [offer] = await slow.search(flightSearch);
    api.failNext('POST /v1/booking/flight-orders', { delayMs: 2000 });
    const error = await slow.book({ reference: 'b-3', offerId: offer.id, traveler }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).ambiguous).toBe(true);
    expect(api.calls('POST /v1/booking/flight-orders')).toHaveLength(1);
  });
});

describe('Booking.com HTTP adapter against a local Demand API', () => {
  let api: FakeTravelApis;
  let booking: BookingComHttpAdapter;
  const credentials = { token: FakeTravelApis.BOOKING_TOKEN, affiliateId: FakeTravelApis.AFFILIATE_ID };

  beforeEach(async () => {
    api = await new FakeTravelApis().start();
    booking = new BookingComHttpAdapter(client(api, 'Booking.com'), credentials);
  });
  afterEach(() => api.stop());

  it('searches with the bearer token and affiliate id, and keeps only bookable results', async () => {
    const offers = await booking.search(hotelSearch);
    expect(offers).toHaveLength(1);
    expect(offers[0].price).toEqual({ amount: 51230n, currency: 'EUR' });
    const [call] = api.calls('POST /3.1/accommodations/search');
    expect(call.headers.authorization).toBe(`Bearer ${FakeTravelApis.BOOKING_TOKEN}`);
    expect(call.headers['x-affiliate-id']).toBe(FakeTravelApis.AFFILIATE_ID);
    expect(call.json).toMatchObject({
      checkin: '2099-12-24',
      checkout: '2099-12-27',
      guests: { number_of_adults: 2, number_of_rooms: 1 },
      booker: { country: expect.any(String), platform: 'desktop' },
    });
  });

  it('previews the price, books with our reference as the label, and cancels', async () => {
    const [offer] = await booking.search(hotelSearch);
    expect((await booking.checkOffer(offer.id)).price).toEqual({ amount: 53055n, currency: 'EUR' });
    const made = await booking.book({ reference: 'h-1', offerId: offer.id, traveler });
    expect(made).toEqual({ reference: 'h-1', providerBookingId: '900001', confirmationCode: '4000001' });
    expect(api.calls('POST /3.1/orders/create')[0].json).toMatchObject({
      order_token: 'order-token-1050736002_377311511_0_2_0',
      booker: { email: 'ada@example.com', name: { first_name: 'Ada', last_name: 'Lovelace' } },
      accommodation: { label: 'h-1', products: [{ id: '1050736002_377311511_0_2_0' }] },
      payment: { timing: 'pay_at_the_property' },
    });
    expect(await booking.findBooking('h-1')).toEqual(made);
  });

  it('after a create that timed out but happened, looks the order up instead of booking twice', async () => {
    const slow = new HotelBookingHandler(
      new BookingComHttpAdapter(client(api, 'Booking.com', 1000), credentials),
    );
    const [offer] = await slow.search(hotelSearch);
    const request: BookingRequest = { reference: 'h-2', offerId: offer.id, traveler };
    api.failNext('POST /3.1/orders/create', { delayMs: 2000 });

    const error = await slow.bookOnce(request, false).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider_unavailable', ambiguous: true });

    const retried = await slow.bookOnce(request, true);
    expect(retried).toEqual({ reference: 'h-2', providerBookingId: '900001', confirmationCode: '4000001' });
    expect(api.calls('POST /3.1/orders/create')).toHaveLength(1);
    expect(api.hotelOrders).toHaveLength(1);
  });

  it('books when the lookup after an ambiguous failure finds nothing', async () => {
    const handler = new HotelBookingHandler(booking);
    const [offer] = await handler.search(hotelSearch);
    const made = await handler.bookOnce({ reference: 'h-3', offerId: offer.id, traveler }, true);
    expect(made.confirmationCode).toBe('4000001');
    expect(api.calls('POST /3.1/orders/details/accommodations')).toHaveLength(1);
    expect(api.hotelOrders).toHaveLength(1);
  });

  it('a 503 on create is retried (nothing was booked); a refusal is booking_refused', async () => {
    const [offer] = await booking.search(hotelSearch);
    api.failNext('POST /3.1/orders/create', { status: 503 });
    await booking.book({ reference: 'h-4', offerId: offer.id, traveler });
    expect(api.calls('POST /3.1/orders/create')).toHaveLength(2);
    await expect(
      booking.book({ reference: 'h-5', offerId: offer.id, traveler: { ...traveler, lastName: 'Soldout' } }),
    ).rejects.toMatchObject({ code: 'booking_refused' });
    expect(api.hotelOrders.map((o) => o.label)).toEqual(['h-4']);
  });

  it('a 500 on create is not repeated blindly: it surfaces as ambiguous', async () => {
    const [offer] = await booking.search(hotelSearch);
    api.failNext('POST /3.1/orders/create', { status: 500 });
    await expect(booking.book({ reference: 'h-6', offerId: offer.id, traveler })).rejects.toMatchObject({
      code: 'provider_unavailable',
      ambiguous: true,
    });
    expect(api.calls('POST /3.1/orders/create')).toHaveLength(1);
  });

  it('wrong credentials are provider_unavailable, not a refusal', async () => {
    const wrong = new BookingComHttpAdapter(client(api, 'Booking.com'), { ...credentials, token: 'nope' });
    await expect(wrong.search(hotelSearch)).rejects.toMatchObject({ code: 'provider_unavailable' });
  });
});
