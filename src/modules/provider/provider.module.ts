import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS } from '../../shared/redis/redis.module';
import { OffersController } from './api/offers.controller';
import { ProviderDemoController } from './api/provider-demo.controller';
import { FlightBookingHandler } from './application/flight-booking.handler';
import { HotelBookingHandler } from './application/hotel-booking.handler';
import { ProviderDemoService } from './application/provider-demo.service';
import { TravelHandlers } from './application/travel-handlers.service';
import { AMADEUS_ADAPTERS, BOOKING_COM_ADAPTERS } from './infrastructure/provider-adapters.factory';
import { AMADEUS_ADAPTER, BOOKING_COM_ADAPTER, FLIGHT_PROVIDER, HOTEL_PROVIDER } from './provider.tokens';

@Module({
  controllers: [ProviderDemoController, OffersController],
  providers: [
    {
      provide: AMADEUS_ADAPTER,
      inject: [AppConfig, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => AMADEUS_ADAPTERS[config.PROVIDER_MODE](config, redis),
    },
    {
      provide: BOOKING_COM_ADAPTER,
      inject: [AppConfig, REDIS],
      useFactory: (config: AppConfig, redis: Redis) =>
        BOOKING_COM_ADAPTERS[config.PROVIDER_MODE](config, redis),
    },
    // Contextual binding: each consumer's token names the adapter it gets.
    { provide: FLIGHT_PROVIDER, useExisting: AMADEUS_ADAPTER },
    { provide: HOTEL_PROVIDER, useExisting: BOOKING_COM_ADAPTER },
    FlightBookingHandler,
    HotelBookingHandler,
    TravelHandlers,
    ProviderDemoService,
  ],
  exports: [TravelHandlers],
})
export class ProviderModule {}
