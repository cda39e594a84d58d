import { OfferUnavailableError } from '../../domain/provider.errors';
import type {
  BookingRequest,
  FlightSearch,
  Offer,
  OfferSearch,
  ProviderBooking,
  TravelProvider,
} from '../../domain/travel-provider';
import { decodeOfferId, encodeOfferId, isCalendarDate } from '../offer-id';
import { isPastDate, SandboxBookings, stableNumber } from './sandbox-bookings';

const PREFIX = 'ama-sbx';
const CARRIERS = ['AF', 'BA', 'LH'] as const;

interface FlightChoice {
  origin: string;
  destination: string;
  departureDate: string;
  adults: number;
  carrier: number;
}

const isFlightChoice = (v: unknown): v is FlightChoice => {
  const c = v as FlightChoice;
  return (
    typeof c === 'object' &&
    c !== null &&
    /^[A-Z]{3}$/.test(c.origin) &&
    /^[A-Z]{3}$/.test(c.destination) &&
    isCalendarDate(c.departureDate) &&
    Number.isInteger(c.adults) &&
    c.adults >= 1 &&
    c.adults <= 9 &&
    Number.isInteger(c.carrier) &&
    c.carrier >= 0 &&
    c.carrier < CARRIERS.length
  );
};

/** Deterministic Amadeus stand-in: the same search always gives the same offers and prices. */
export class AmadeusSandboxAdapter implements TravelProvider {
  readonly name = 'Amadeus';

  /** `offerIdKey` signs the offer ids it issues (see offer-id.ts): only those can be booked. */
  constructor(
    private readonly bookings: SandboxBookings,
    private readonly offerIdKey: Buffer,
  ) {}

  async search(criteria: OfferSearch): Promise<Offer[]> {
    if (criteria.kind !== 'flight') throw new OfferUnavailableError('Amadeus sells flights only');
    return CARRIERS.map((_, carrier) => this.offer(toChoice(criteria, carrier)));
  }

  async checkOffer(offerId: string): Promise<Offer> {
    const choice = decodeOfferId(PREFIX, offerId, isFlightChoice, this.offerIdKey);
    if (isPastDate(choice.departureDate))
      throw new OfferUnavailableError(`Offer ${offerId} departs in the past`);
    return this.offer(choice);
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    await this.checkOffer(request.offerId);
    return this.bookings.book(request, 6);
  }

  findBooking(reference: string): Promise<ProviderBooking | null> {
    return this.bookings.find(reference);
  }

  private offer(choice: FlightChoice): Offer {
    const carrier = CARRIERS[choice.carrier];
    const perAdult =
      20_000 +
      stableNumber(`${choice.origin}${choice.destination}${choice.departureDate}`, 40_000) +
      choice.carrier * 7_500;
    const flightNumber = 100 + stableNumber(`${carrier}${choice.origin}${choice.destination}`, 900);
    return {
      id: encodeOfferId(PREFIX, { ...choice }, this.offerIdKey),
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

function toChoice(criteria: FlightSearch, carrier: number): FlightChoice {
  const { origin, destination, departureDate, adults } = criteria;
  return { origin, destination, departureDate, adults, carrier };
}
