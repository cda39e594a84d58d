import type { FactoryProvider } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig, type ProviderMode } from '../../../config/app-config';
import { REDIS } from '../../../shared/redis/redis.module';
import { redisKey } from '../../../shared/redis/redis-keys';
import type { TravelProvider } from '../domain/travel-provider';
import { AmadeusHttpAdapter } from './amadeus/amadeus-http.adapter';
import { BookingComHttpAdapter } from './booking-com/booking-com-http.adapter';
import { ProviderHttpClient } from './http/provider-http.client';
import { SearchedOffers } from './http/searched-offers';
import { sandboxOfferIdKey } from './offer-id';
import { AmadeusSandboxAdapter } from './sandbox/amadeus-sandbox.adapter';
import { BookingComSandboxAdapter } from './sandbox/booking-com-sandbox.adapter';
import { SandboxBookings } from './sandbox/sandbox-bookings';

/** Flight offers go stale within minutes; an offer searched longer ago than this is searched again. */
const SEARCHED_OFFER_TTL_SECONDS = 30 * 60;

type AdapterFactory = (config: AppConfig, redis: Redis) => TravelProvider;

const httpClient = (config: AppConfig, provider: string, baseUrl: string) =>
  new ProviderHttpClient({ provider, baseUrl, timeoutMs: config.PROVIDER_TIMEOUT_MS });

/** A sandbox adapter, its bookings kept in Redis under `provider`, its offer ids signed. */
const sandbox =
  (Adapter: new (bookings: SandboxBookings, offerIdKey: Buffer) => TravelProvider, provider: string) =>
  (config: AppConfig, redis: Redis): TravelProvider =>
    new Adapter(new SandboxBookings(redis, config, provider), sandboxOfferIdKey(config.SIGNING_SECRET));

/** Which adapter each PROVIDER_MODE builds; the adapters themselves know nothing of the mode. */
export const AMADEUS_ADAPTERS: Record<ProviderMode, AdapterFactory> = {
  sandbox: sandbox(AmadeusSandboxAdapter, 'amadeus'),
  live: (config, redis) =>
    new AmadeusHttpAdapter(
      httpClient(config, 'Amadeus', config.AMADEUS_BASE_URL),
      {
        clientId: config.AMADEUS_CLIENT_ID as string,
        clientSecret: config.AMADEUS_CLIENT_SECRET as string,
      },
      {
        currency: config.PROVIDER_CURRENCY,
        offers: new SearchedOffers(
          redis,
          redisKey(config, 'amadeus', 'searched-offers'),
          SEARCHED_OFFER_TTL_SECONDS,
        ),
      },
    ),
};

export const BOOKING_COM_ADAPTERS: Record<ProviderMode, AdapterFactory> = {
  sandbox: sandbox(BookingComSandboxAdapter, 'booking-com'),
  live: (config) =>
    new BookingComHttpAdapter(
      httpClient(config, 'Booking.com', config.BOOKING_BASE_URL),
      {
        token: config.BOOKING_API_TOKEN as string,
        affiliateId: config.BOOKING_AFFILIATE_ID as string,
      },
      { currency: config.PROVIDER_CURRENCY },
    ),
};

/** The provider of an adapter token: the adapter of the configured PROVIDER_MODE. */
export function adapterProvider(
  token: symbol,
  adapters: Record<ProviderMode, AdapterFactory>,
): FactoryProvider<TravelProvider> {
  return {
    provide: token,
    inject: [AppConfig, REDIS],
    useFactory: (config: AppConfig, redis: Redis) => adapters[config.PROVIDER_MODE](config, redis),
  };
}
