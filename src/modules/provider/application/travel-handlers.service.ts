import { Injectable } from '@nestjs/common';
import { FlightBookingHandler } from './flight-booking.handler';
import { HotelBookingHandler } from './hotel-booking.handler';
import type { TravelBookingHandler } from './travel-booking.handler';

export type TravelType = 'flight' | 'hotel';
export const TRAVEL_TYPES: readonly TravelType[] = ['flight', 'hotel'];

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
