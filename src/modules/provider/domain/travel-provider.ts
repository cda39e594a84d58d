import { OfferUnavailableError } from './provider.errors';

export const TRAVEL_TYPES = ['flight', 'hotel'] as const;
export type TravelType = (typeof TRAVEL_TYPES)[number];

/** The port every travel provider adapter implements, whatever it sells (flights, hotels). */
export interface TravelProvider {
  /** Human name, as shown to clients ("Amadeus", "Booking.com"). */
  readonly name: string;
  search(criteria: OfferSearch): Promise<Offer[]>;
  /** Re-prices an offer with the provider; throws OfferUnavailableError when it can no longer be booked. */
  checkOffer(offerId: string): Promise<Offer>;
  /**
   * Books an offer under OUR reference. Throws BookingRefusedError when the provider refuses for good,
   * ProviderUnavailableError when the outcome is unknown or transient (the caller may retry after
   * `findBooking`).
   */
  book(request: BookingRequest): Promise<ProviderBooking>;
  /** The booking made under our reference, or null when the provider has none. */
  findBooking(reference: string): Promise<ProviderBooking | null>;
}

/** A real YYYY-MM-DD date (not 2026-02-30 or 2026-99-99). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export interface FlightSearch {
  kind: 'flight';
  origin: string;
  destination: string;
  /** YYYY-MM-DD */
  departureDate: string;
  adults: number;
}

export interface HotelSearch {
  kind: 'hotel';
  /** IATA city code */
  city: string;
  checkIn: string;
  checkOut: string;
  guests: number;
}

export type OfferSearch = FlightSearch | HotelSearch;

const SOLD_AS: Record<TravelType, string> = { flight: 'flights', hotel: 'stays' };

/** The search of the one travel type a provider sells; any other is OfferUnavailableError. */
export function searchOf<T extends TravelType>(
  provider: string,
  type: T,
  criteria: OfferSearch,
): Extract<OfferSearch, { kind: T }> {
  if (criteria.kind !== type) throw new OfferUnavailableError(`${provider} sells ${SOLD_AS[type]} only`);
  return criteria as Extract<OfferSearch, { kind: T }>;
}

export interface Price {
  /** Minor units. */
  amount: bigint;
  currency: string;
}

export interface Offer {
  id: string;
  price: Price;
  /** Provider-specific facts shown to clients next to the price (route, times, hotel name…). */
  details: Record<string, unknown>;
}

export interface Traveler {
  firstName: string;
  lastName: string;
  email: string;
}

export interface BookingRequest {
  /** Our booking id: the provider keeps it so that an ambiguous attempt can be looked up. */
  reference: string;
  offerId: string;
  traveler: Traveler;
}

export interface ProviderBooking {
  reference: string;
  providerBookingId: string;
  confirmationCode: string;
}
