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
  o: string;
  d: string;
  t: string;
  a: number;
  f: number;
}

const isFlightChoice = (v: unknown): v is FlightChoice => {
  const c = v as FlightChoice;
  return (
    typeof c === 'object' &&
    c !== null &&
    /^[A-Z]{3}$/.test(c.o) &&
    /^[A-Z]{3}$/.test(c.d) &&
    isCalendarDate(c.t) &&
    Number.isInteger(c.a) &&
    c.a >= 1 &&
    c.a <= 9 &&
    Number.isInteger(c.f) &&
    c.f >= 0 &&
    c.f < CARRIERS.length
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
    return CARRIERS.map((_, f) => this.offer(toChoice(criteria, f)));
  }

  async checkOffer(offerId: string): Promise<Offer> {
    const choice = decodeOfferId(PREFIX, offerId, isFlightChoice, this.offerIdKey);
    if (isPastDate(choice.t)) throw new OfferUnavailableError(`Offer ${offerId} departs in the past`);
    return this.offer(choice);
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    await this.checkOffer(request.offerId);
    return this.bookings.book(request, 6);
  }

  findBooking(reference: string): Promise<ProviderBooking | null> {
    return this.bookings.find(reference);
  }

  cancel(providerBookingId: string): Promise<void> {
    return this.bookings.cancel(providerBookingId);
  }

  private offer(choice: FlightChoice): Offer {
    const carrier = CARRIERS[choice.f];
    const perAdult = 20_000 + stableNumber(`${choice.o}${choice.d}${choice.t}`, 40_000) + choice.f * 7_500;
    const flightNumber = 100 + stableNumber(`${carrier}${choice.o}${choice.d}`, 900);
    return {
      id: encodeOfferId(PREFIX, { ...choice }, this.offerIdKey),
      price: { amount: BigInt(perAdult * choice.a), currency: 'EUR' },
      details: {
        origin: choice.o,
        destination: choice.d,
        departure_date: choice.t,
        adults: choice.a,
        carrier,
        flight_number: `${carrier}${flightNumber}`,
        departure_time: `${String(6 + choice.f * 5).padStart(2, '0')}:${choice.f === 1 ? '30' : '05'}`,
      },
    };
  }
}

function toChoice(criteria: FlightSearch, f: number): FlightChoice {
  return { o: criteria.origin, d: criteria.destination, t: criteria.departureDate, a: criteria.adults, f };
}
