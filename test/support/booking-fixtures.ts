import { randomUUID } from 'crypto';
import type { TestApp } from './test-app';
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
