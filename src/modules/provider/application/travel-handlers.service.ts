import { Injectable } from '@nestjs/common';
import { FlightBookingHandler } from './flight-booking.handler';
import { HotelBookingHandler } from './hotel-booking.handler';
import type { TravelType } from '../domain/travel-provider';
import type { TravelBookingHandler } from './travel-booking.handler';

/** The handler for a kind of travel: what other modules (bookings) call into this one through. */
@Injectable()
export class TravelHandlers {
  constructor(
    private readonly flights: FlightBookingHandler,
    private readonly hotels: HotelBookingHandler,
  ) {}

  forType(type: TravelType): TravelBookingHandler {
    return type === 'flight' ? this.flights : this.hotels;
  }
}
