import { Inject, Injectable } from '@nestjs/common';
import type { HotelSearch, TravelProvider } from '../domain/travel-provider';
import { HOTEL_PROVIDER } from '../provider.tokens';
import { TravelBookingHandler } from './travel-booking.handler';

@Injectable()
export class HotelBookingHandler extends TravelBookingHandler<HotelSearch> {
  constructor(@Inject(HOTEL_PROVIDER) provider: TravelProvider) {
    super(provider);
  }
}
