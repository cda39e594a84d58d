import { inDays } from '../support/booking-fixtures';
import { createTestApp, TestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;

describe('travel offers and provider demo (e2e, sandbox)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ config: { PROVIDER_MODE: 'sandbox' } });
  });
  afterAll(() => t.close());

  it('GET /api/provider-demo shows each handler with its own provider, without a key', async () => {
    const res = await t.http().get('/api/provider-demo').expect(200);
    expect(Object.keys(res.body)).toEqual(['contextual_binding_demo']);
    const demo = res.body.contextual_binding_demo;
    expect(Object.keys(demo).sort()).toEqual(['explanation', 'flight_handler', 'hotel_handler']);
    expect(demo.explanation).toEqual(expect.stringContaining('FLIGHT_PROVIDER'));
    expect(demo.flight_handler).toMatchObject({
      class: 'FlightBookingHandler',
      injected_provider: 'Amadeus',
    });
    expect(demo.hotel_handler).toMatchObject({
      class: 'HotelBookingHandler',
      injected_provider: 'Booking.com',
    });
    expect(Object.keys(demo.flight_handler).sort()).toEqual(['class', 'injected_provider', 'results']);
    expect(demo.flight_handler.results).toHaveLength(3);
    expect(demo.hotel_handler.results).toHaveLength(3);
    expect(demo.flight_handler.results[0]).toMatchObject({
      id: expect.stringMatching(/^ama-sbx\./),
      price: { amount: expect.any(Number), currency: 'EUR' },
    });
  });

  it('GET /api/flights/offers answers deterministic Amadeus offers in minor units', async () => {
    const query = { origin: 'JFK', destination: 'LHR', departure_date: inDays(40), adults: '2' };
    const first = await t.http().get('/api/flights/offers').query(query).expect(200);
    const again = await t.http().get('/api/flights/offers').query(query).expect(200);
    expect(again.body).toEqual(first.body);
    expect(first.body.provider).toBe('Amadeus');
    expect(first.body.offers).toHaveLength(3);
    for (const offer of first.body.offers) {
      expect(offer).toMatchObject({
        id: expect.any(String),
        price: { amount: expect.any(Number), currency: 'EUR' },
        origin: 'JFK',
        destination: 'LHR',
        adults: 2,
      });
      expect(Number.isSafeInteger(offer.price.amount)).toBe(true);
      expect(offer.price.amount % 2).toBe(0); // two adults, same fare each
    }
  });

  it('GET /api/hotels/offers answers Booking.com offers priced for the stay', async () => {
    const res = await t
      .http()
      .get('/api/hotels/offers')
      .query({ city: 'PAR', check_in: inDays(40), check_out: inDays(43), guests: '3' })
      .expect(200);
    expect(res.body.provider).toBe('Booking.com');
    expect(res.body.offers).toHaveLength(3);
    expect(res.body.offers[0]).toMatchObject({
      nights: 3,
      rooms: 2,
      guests: 3,
      city: 'PAR',
      price: { currency: 'EUR' },
    });
    expect(res.body.offers[0].price.amount % 6).toBe(0); // per room and night
  });

  it.each([
    ['origin', { origin: 'jfk' }],
    ['origin', { origin: 'JFKX' }],
    ['destination', { destination: undefined }],
    ['departure_date', { departure_date: '2020-01-01' }],
    ['departure_date', { departure_date: '2099-02-30' }],
    ['departure_date', { departure_date: '24/12/2099' }],
    ['adults', { adults: '0' }],
    ['adults', { adults: '10' }],
    ['adults', { adults: '1.5' }],
    ['cabin', { cabin: 'first' }],
  ])('flight search rejects a bad %s with 400 validation_failed', async (field, change) => {
    const query: Record<string, string | undefined> = {
      origin: 'JFK',
      destination: 'LHR',
      departure_date: inDays(10),
      adults: '1',
      ...change,
    };
    const res = await t
      .http()
      .get('/api/flights/offers')
      .query(JSON.parse(JSON.stringify(query)))
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each([
    ['city', { city: 'Paris' }],
    ['check_in', { check_in: '2001-01-01' }],
    ['check_out', { check_out: inDays(10) }],
    ['check_out', { check_out: inDays(9) }],
    ['check_out', { check_out: inDays(200) }],
    ['guests', { guests: '31' }],
    ['guests', { guests: 'two' }],
    ['rooms', { rooms: '1' }],
  ])('hotel search rejects a bad %s with 400 validation_failed', async (field, change) => {
    const query = { city: 'PAR', check_in: inDays(10), check_out: inDays(12), guests: '2', ...change };
    const res = await t.http().get('/api/hotels/offers').query(query).expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('documents the travel endpoints in Swagger', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/provider-demo',
        '/api/flights/offers',
        '/api/hotels/offers',
        '/api/bookings',
        '/api/bookings/{id}',
      ]),
    );
    const create = res.body.paths['/api/bookings'].post;
    expect(Object.keys(create.responses).sort()).toEqual([
      '202',
      '400',
      '401',
      '404',
      '408',
      '409',
      '413',
      '415',
      '422',
      '429',
      '502',
      '503',
    ]);
    expect(create.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', required: true })]),
    );
    expect(Object.keys(res.body.paths['/api/flights/offers'].get.responses).sort()).toEqual([
      '200',
      '400',
      '408',
      '422',
      '429',
      '502',
      '503',
    ]);
  });
});
