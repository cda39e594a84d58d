import { Inject, Injectable } from '@nestjs/common';
import type { FlightSearch, TravelProvider } from '../domain/travel-provider';
import { FLIGHT_PROVIDER } from '../provider.tokens';
import { TravelBookingHandler } from './travel-booking.handler';

@Injectable()
export class FlightBookingHandler extends TravelBookingHandler<FlightSearch> {
  constructor(@Inject(FLIGHT_PROVIDER) provider: TravelProvider) {
    super(provider);
  }
}
