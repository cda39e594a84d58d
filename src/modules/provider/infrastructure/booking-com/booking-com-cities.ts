import { OfferUnavailableError } from '../../domain/provider.errors';

/**
 * Booking.com identifies cities by its own integer ids (`city` of /accommodations/search), while the
 * service's hotel search takes IATA city codes. The cities the service sells, and their ids as
 * Booking.com's `common/locations/cities` lists them; `npm run providers:check` searches one of them.
 * A city not listed here cannot be searched live: its search answers 422 `offer_unavailable`.
 */
export const BOOKING_COM_CITY_IDS: Readonly<Record<string, number>> = {
  AMS: -2140479, // Amsterdam
  BCN: -372490, // Barcelona
  BER: -1746443, // Berlin
  LON: -2601889, // London
  MAD: -390625, // Madrid
  NYC: 20088325, // New York
  PAR: -1456928, // Paris
  ROM: -126693, // Rome
};

export function bookingComCityId(iataCity: string): number {
  const id = BOOKING_COM_CITY_IDS[iataCity];
  if (id === undefined) {
    throw new OfferUnavailableError(
      `Hotels in ${iataCity} are not sold: the city has no Booking.com id here`,
    );
  }
  return id;
}
