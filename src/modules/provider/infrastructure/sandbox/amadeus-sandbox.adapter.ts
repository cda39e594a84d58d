import { type FlightSearch, isCalendarDate, type Offer } from '../../domain/travel-provider';
import { choiceGuard, isIntBetween } from '../offer-id';
import { SandboxAdapter } from './sandbox-adapter';
import { type SandboxBookings, stableNumber } from './sandbox-bookings';

const CARRIERS = ['AF', 'BA', 'LH'] as const;

/** The search, and which of its carriers was chosen. */
interface FlightChoice extends Omit<FlightSearch, 'kind'> {
  carrier: number;
}

const isFlightChoice = choiceGuard<FlightChoice>(
  (c) =>
    /^[A-Z]{3}$/.test(c.origin) &&
    /^[A-Z]{3}$/.test(c.destination) &&
    isCalendarDate(c.departureDate) &&
    isIntBetween(c.adults, 1, 9) &&
    isIntBetween(c.carrier, 0, CARRIERS.length - 1),
);

/** Deterministic Amadeus stand-in: the same search always gives the same offers and prices. */
export class AmadeusSandboxAdapter extends SandboxAdapter<FlightSearch, FlightChoice> {
  constructor(bookings: SandboxBookings, offerIdKey: Buffer) {
    super(
      {
        name: 'Amadeus',
        type: 'flight',
        prefix: 'ama-sbx',
        codeLength: 6,
        isChoice: isFlightChoice,
        start: (choice) => ({ date: choice.departureDate, verb: 'departs' }),
        // One traveller per adult, and, as many airlines ask, each one's date of birth.
        travelers: (choice) => ({
          travelers: { min: choice.adults, max: choice.adults },
          requiredFields: Array.from({ length: choice.adults }, () => ['date_of_birth']),
        }),
      },
      bookings,
      offerIdKey,
    );
  }

  protected choices(criteria: FlightSearch): FlightChoice[] {
    const { origin, destination, departureDate, adults } = criteria;
    return CARRIERS.map((_, carrier) => ({ origin, destination, departureDate, adults, carrier }));
  }

  protected quote(choice: FlightChoice): Omit<Offer, 'id'> {
    const carrier = CARRIERS[choice.carrier];
    const perAdult =
      20_000 +
      stableNumber(`${choice.origin}${choice.destination}${choice.departureDate}`, 40_000) +
      choice.carrier * 7_500;
    const flightNumber = 100 + stableNumber(`${carrier}${choice.origin}${choice.destination}`, 900);
    return {
      price: { amount: BigInt(perAdult * choice.adults), currency: 'EUR' },
      details: {
        origin: choice.origin,
        destination: choice.destination,
        departure_date: choice.departureDate,
        adults: choice.adults,
        carrier,
        flight_number: `${carrier}${flightNumber}`,
        departure_time: `${String(6 + choice.carrier * 5).padStart(2, '0')}:${choice.carrier === 1 ? '30' : '05'}`,
      },
    };
  }
}
