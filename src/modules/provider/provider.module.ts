import { Module } from '@nestjs/common';
import { OffersController } from './api/offers.controller';
import { ProviderDemoController } from './api/provider-demo.controller';
import { FlightBookingHandler } from './application/flight-booking.handler';
import { HotelBookingHandler } from './application/hotel-booking.handler';
import { ProviderDemoService } from './application/provider-demo.service';
import { TravelHandlers } from './application/travel-handlers.service';
import {
  adapterProvider,
  AMADEUS_ADAPTERS,
  BOOKING_COM_ADAPTERS,
} from './infrastructure/provider-adapters.factory';
import { AMADEUS_ADAPTER, BOOKING_COM_ADAPTER, FLIGHT_PROVIDER, HOTEL_PROVIDER } from './provider.tokens';

@Module({
  controllers: [ProviderDemoController, OffersController],
  providers: [
    adapterProvider(AMADEUS_ADAPTER, AMADEUS_ADAPTERS),
    adapterProvider(BOOKING_COM_ADAPTER, BOOKING_COM_ADAPTERS),
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
