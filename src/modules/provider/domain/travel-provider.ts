import { OfferUnavailableError } from './provider.errors';

export const TRAVEL_TYPES = ['flight', 'hotel'] as const;
export type TravelType = (typeof TRAVEL_TYPES)[number];

/** The port every travel provider adapter implements, whatever it sells (flights, hotels). */
export interface TravelProvider {
  /** Human name, as shown to clients ("Amadeus", "Booking.com"). */
  readonly name: string;
  search(criteria: OfferSearch): Promise<Offer[]>;
  /**
   * Prices an offer with the provider, as it will be booked: the price, the travellers it needs, and
   * the priced form that `book` books exactly. Throws OfferUnavailableError when it cannot be booked.
   */
  price(offerId: string): Promise<PricedOffer>;
  /**
   * Books a priced offer under OUR reference. Throws BookingRefusedError when the provider refuses for
   * good, ProviderUnavailableError when the outcome is unknown or transient (`ambiguous` tells which).
   */
  book(request: BookingRequest): Promise<ProviderBooking>;
  /**
   * The booking made under our reference, or null when the provider has none. Throws
   * OutcomeUnknownError when the provider offers no lookup by our reference (nothing can tell).
   */
  findBooking(reference: string, priced: PricedForm): Promise<ProviderBooking | null>;
  /** Cancels a booking; BookingNotCancellableError when the provider will not. */
  cancel(booking: ProviderBooking): Promise<void>;
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

export const GENDERS = ['female', 'male', 'unspecified', 'undisclosed'] as const;
export type Gender = (typeof GENDERS)[number];

export interface Traveler {
  firstName: string;
  lastName: string;
  email: string;
  /** E.164, e.g. +33612345678. */
  phone?: string;
  /** YYYY-MM-DD */
  dateOfBirth?: string;
  gender?: Gender;
}

/** The traveller fields a priced offer may require, named as the API names them. */
export type TravelerField = 'phone' | 'date_of_birth' | 'gender';

const FIELD_OF: Record<TravelerField, keyof Traveler> = {
  phone: 'phone',
  date_of_birth: 'dateOfBirth',
  gender: 'gender',
};

/**
 * What a provider needs to book exactly the offer it priced (Amadeus: the priced flight offer;
 * Booking.com: the preview's order token and products). Opaque outside its adapter; kept with the booking.
 */
export type PricedForm = string;

export interface PricedOffer {
  offer: Offer;
  priced: PricedForm;
  /** How many travellers a booking of it names (flights: one per adult; hotels: 1 up to the guests). */
  travelers: { min: number; max: number };
  /** The fields each traveller must carry, by position (the first is the booker / lead passenger). */
  requiredFields: TravelerField[][];
}

/** Where the API names the traveller at `index`: the first is `traveler`, the others `travelers[i]`. */
export function travelerPath(index: number): string {
  return index === 0 ? 'traveler' : `travelers[${index - 1}]`;
}

/** Each missing or extra traveller, and each field the priced offer requires that a traveller lacks. */
export function missingTravelerDetails(
  priced: PricedOffer,
  travelers: Traveler[],
): Array<{ field: string; message: string }> {
  const { min, max } = priced.travelers;
  if (travelers.length < min || travelers.length > max) {
    const wanted = min === max ? `${min}` : `${min} to ${max}`;
    return [
      { field: 'travelers', message: `this offer takes ${wanted} travellers, not ${travelers.length}` },
    ];
  }
  return travelers.flatMap((traveler, index) =>
    (priced.requiredFields[index] ?? [])
      .filter((field) => traveler[FIELD_OF[field]] === undefined)
      .map((field) => ({
        field: `${travelerPath(index)}.${field}`,
        message: `is required by the provider's pricing of this offer`,
      })),
  );
}

export interface BookingRequest {
  /** Our booking id: the provider keeps it so that an ambiguous attempt can be looked up. */
  reference: string;
  priced: PricedForm;
  travelers: Traveler[];
}

export interface ProviderBooking {
  reference: string;
  providerBookingId: string;
  confirmationCode: string;
  /** What the provider booked it for. */
  total: Price;
}
