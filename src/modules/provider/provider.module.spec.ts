import { Global, Module } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import Redis from 'ioredis';
import { AppConfig, loadConfig } from '../../config/app-config';
import { REDIS } from '../../shared/redis/redis.module';
import { ClockModule } from '../../shared/time/clock.module';
import { FlightBookingHandler } from './application/flight-booking.handler';
import { HotelBookingHandler } from './application/hotel-booking.handler';
import { TravelHandlers } from './application/travel-handlers.service';
import type { FlightSearch, HotelSearch, Offer, OfferSearch, TravelProvider } from './domain/travel-provider';
import { AmadeusHttpAdapter } from './infrastructure/amadeus/amadeus-http.adapter';
import { BookingComHttpAdapter } from './infrastructure/booking-com/booking-com-http.adapter';
import { AmadeusSandboxAdapter } from './infrastructure/sandbox/amadeus-sandbox.adapter';
import { BookingComSandboxAdapter } from './infrastructure/sandbox/booking-com-sandbox.adapter';
import { ProviderModule } from './provider.module';
import { AMADEUS_ADAPTER, BOOKING_COM_ADAPTER, FLIGHT_PROVIDER, HOTEL_PROVIDER } from './provider.tokens';

const env = {
  DATABASE_URL: 'postgres://u@localhost:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ADMIN_API_KEY: 'a'.repeat(20),
  WEBHOOK_SECRET: 'b'.repeat(20),
  SIGNING_SECRET: 'c'.repeat(32),
};

/** A provider that is neither of the real ones, to prove a binding swap reaches the handler. */
class FakeAirProvider implements TravelProvider {
  readonly name = 'FakeAir';
  async search(_criteria: OfferSearch): Promise<Offer[]> {
    return [{ id: 'fake-1', price: { amount: 100n, currency: 'USD' }, details: {} }];
  }
  price = jest.fn();
  book = jest.fn();
  findBooking = jest.fn();
  cancel = jest.fn();
}

const redis = new Redis(env.REDIS_URL, { lazyConnect: true });

function moduleWith(config: Record<string, string>): TestingModuleBuilder {
  @Global()
  @Module({
    providers: [
      { provide: AppConfig, useValue: loadConfig({ ...env, ...config }) },
      { provide: REDIS, useValue: redis },
    ],
    exports: [AppConfig, REDIS],
  })
  class KernelStub {}
  return Test.createTestingModule({ imports: [KernelStub, ClockModule, ProviderModule] });
}

const flight: FlightSearch = {
  kind: 'flight',
  origin: 'JFK',
  destination: 'LHR',
  departureDate: '2099-01-10',
  adults: 1,
};
const hotel: HotelSearch = {
  kind: 'hotel',
  city: 'PAR',
  checkIn: '2099-01-10',
  checkOut: '2099-01-12',
  guests: 2,
};

describe('ProviderModule contextual binding', () => {
  afterAll(() => redis.disconnect());

  it('gives FlightBookingHandler the Amadeus adapter and HotelBookingHandler the Booking.com adapter', async () => {
    const ref = await moduleWith({}).compile();
    expect(ref.get(FLIGHT_PROVIDER)).toBe(ref.get(AMADEUS_ADAPTER));
    expect(ref.get(HOTEL_PROVIDER)).toBe(ref.get(BOOKING_COM_ADAPTER));
    expect(ref.get(AMADEUS_ADAPTER)).toBeInstanceOf(AmadeusSandboxAdapter);
    expect(ref.get(BOOKING_COM_ADAPTER)).toBeInstanceOf(BookingComSandboxAdapter);

    const flights = ref.get(FlightBookingHandler);
    const hotels = ref.get(HotelBookingHandler);
    expect(flights.providerName).toBe('Amadeus');
    expect(hotels.providerName).toBe('Booking.com');
    expect((await flights.search(flight))[0].id).toMatch(/^ama-sbx\./);
    expect((await hotels.search(hotel))[0].id).toMatch(/^bkg-sbx\./);
    expect(ref.get(TravelHandlers).forType('flight')).toBe(flights);
    expect(ref.get(TravelHandlers).forType('hotel')).toBe(hotels);
  });

  it('PROVIDER_MODE=live binds the HTTP adapters to the same tokens', async () => {
    const ref = await moduleWith({
      PROVIDER_MODE: 'live',
      AMADEUS_CLIENT_ID: 'id',
      AMADEUS_CLIENT_SECRET: 'secret',
      BOOKING_API_TOKEN: 'token',
      BOOKING_AFFILIATE_ID: '1',
    }).compile();
    expect(ref.get(FLIGHT_PROVIDER)).toBeInstanceOf(AmadeusHttpAdapter);
    expect(ref.get(HOTEL_PROVIDER)).toBeInstanceOf(BookingComHttpAdapter);
    expect(ref.get(FlightBookingHandler).providerName).toBe('Amadeus');
  });

  it('swapping FLIGHT_PROVIDER for another adapter (useValue) changes what the handler uses, and only it', async () => {
    const fake = new FakeAirProvider();
    const ref = await moduleWith({}).overrideProvider(FLIGHT_PROVIDER).useValue(fake).compile();
    const flights = ref.get(FlightBookingHandler);
    expect(flights.providerName).toBe('FakeAir');
    expect(await flights.search(flight)).toEqual([
      { id: 'fake-1', price: { amount: 100n, currency: 'USD' }, details: {} },
    ]);
    expect(ref.get(HotelBookingHandler).providerName).toBe('Booking.com');
  });

  it('rebinding FLIGHT_PROVIDER to the existing Booking.com adapter hands that very instance to the handler', async () => {
    const ref = await moduleWith({})
      .overrideProvider(FLIGHT_PROVIDER)
      .useFactory({ factory: (adapter: TravelProvider) => adapter, inject: [BOOKING_COM_ADAPTER] })
      .compile();
    expect(ref.get(FLIGHT_PROVIDER)).toBe(ref.get(BOOKING_COM_ADAPTER));
    const flights = ref.get(FlightBookingHandler);
    expect(flights.providerName).toBe('Booking.com');
    // The handler passes the search through untouched; Booking.com sells stays only.
    await expect(flights.search(flight)).rejects.toMatchObject({ code: 'offer_unavailable' });
  });
});
