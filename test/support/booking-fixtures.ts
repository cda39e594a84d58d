import { randomUUID } from 'crypto';
import type { TestApp } from './test-app';
import { eventually } from './inventory-fixtures';
import { bearer } from './wallet-fixtures';

/** A date `days` from now, as the offer searches take it (YYYY-MM-DD). */
export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** The id of the first flight offer JFK → LHR for one adult, 30 days out. */
export async function flightOfferId(t: TestApp): Promise<string> {
  const offers = await t
    .http()
    .get('/api/flights/offers')
    .query({ origin: 'JFK', destination: 'LHR', departure_date: inDays(30), adults: 1 })
    .expect(200);
  return offers.body.offers[0].id as string;
}

/**
 * `POST /api/bookings` of a flight offer for Ada (Lovelace, or a sandbox failure name such as
 * `Timeout`), paid from `walletId`, with its Idempotency-Key.
 */
export function bookFlight(
  t: TestApp,
  key: string,
  offerId: string,
  walletId: string,
  lastName = 'Lovelace',
) {
  return t
    .http()
    .post('/api/bookings')
    .set(bearer(key))
    .set('Idempotency-Key', randomUUID())
    .send({
      type: 'flight',
      offer_id: offerId,
      wallet_id: walletId,
      traveler: {
        first_name: 'Ada',
        last_name: lastName,
        email: 'ada@example.com',
        date_of_birth: '1990-04-21',
      },
    });
}

/** A traveller with what the sandboxes' pricing requires: a date of birth (flights), a phone (hotels). */
export const traveler = (lastName = 'Lovelace') => ({
  first_name: 'Ada',
  last_name: lastName,
  email: 'ada@example.com',
  phone: '+33612345678',
  date_of_birth: '1990-04-21',
});

/** The body of `POST /api/bookings`: an offer for {@link traveler}, paid from `walletId`. */
export const bookingOf = (
  type: 'flight' | 'hotel',
  offer: { id: string },
  walletId: string,
  lastName = 'Lovelace',
) => ({ type, offer_id: offer.id, wallet_id: walletId, traveler: traveler(lastName) });

/** `POST /api/bookings` of `body` as the holder of `key`, with its Idempotency-Key. */
export function book(t: TestApp, key: string, body: object, idempotencyKey: string = randomUUID()) {
  return t.http().post('/api/bookings').set(bearer(key)).set('Idempotency-Key', idempotencyKey).send(body);
}

/** The booking as `GET /api/bookings/:id` shows it to its owner once it has left `pending` (or when `timeoutMs` runs out). */
export const settledBooking = (
  t: TestApp,
  id: string,
  owner: { key: string },
  timeoutMs = 15_000,
): Promise<Record<string, unknown>> =>
  eventually(
    async () => (await t.http().get(`/api/bookings/${id}`).set(bearer(owner.key)).expect(200)).body,
    (booking) => booking.status !== 'pending',
    timeoutMs,
  );
