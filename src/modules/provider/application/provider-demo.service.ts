import { Inject, Injectable } from '@nestjs/common';
import type { Offer } from '../domain/travel-provider';
import { FlightBookingHandler } from './flight-booking.handler';
import { HotelBookingHandler } from './hotel-booking.handler';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

export interface HandlerDemo {
  className: string;
  providerName: string;
  results: Offer[];
}

export interface ProviderDemo {
  explanation: string;
  flight: HandlerDemo;
  hotel: HandlerDemo;
}

const DAY_MS = 86_400_000;

/** Shows contextual binding at work: two handlers, one interface, a different adapter each. */
@Injectable()
export class ProviderDemoService {
  constructor(
    private readonly flights: FlightBookingHandler,
    private readonly hotels: HotelBookingHandler,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(now = new Date(this.clock.now())): Promise<ProviderDemo> {
    const day = (offset: number) => new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
    const [flightResults, hotelResults] = await Promise.all([
      this.flights.search({
        kind: 'flight',
        origin: 'JFK',
        destination: 'LHR',
        departureDate: day(30),
        adults: 1,
      }),
      this.hotels.search({ kind: 'hotel', city: 'PAR', checkIn: day(30), checkOut: day(33), guests: 2 }),
    ]);
    return {
      explanation:
        'FlightBookingHandler and HotelBookingHandler both depend on the same TravelProvider interface. ' +
        'Each asks for it through its own injection token (FLIGHT_PROVIDER, HOTEL_PROVIDER); the provider ' +
        'module binds FLIGHT_PROVIDER to the Amadeus adapter and HOTEL_PROVIDER to the Booking.com adapter, ' +
        'each built for PROVIDER_MODE (sandbox or live). Neither handler names its provider.',
      flight: {
        className: this.flights.constructor.name,
        providerName: this.flights.providerName,
        results: flightResults,
      },
      hotel: {
        className: this.hotels.constructor.name,
        providerName: this.hotels.providerName,
        results: hotelResults,
      },
    };
  }
}
