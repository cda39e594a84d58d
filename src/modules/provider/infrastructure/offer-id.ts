import { OfferUnavailableError } from '../domain/provider.errors';

/**
 * Offer ids carry what is needed to find the offer again (search criteria and the choice within
 * them), so that checking an offer needs no state kept between the search and the booking.
 */
export function encodeOfferId(prefix: string, payload: Record<string, unknown>): string {
  return `${prefix}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
}

export function decodeOfferId<T>(prefix: string, id: string, isValid: (value: unknown) => value is T): T {
  const unavailable = () => new OfferUnavailableError(`Offer ${id} is not a known offer`);
  if (!id.startsWith(`${prefix}.`)) throw unavailable();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(id.slice(prefix.length + 1), 'base64url').toString('utf8'));
  } catch {
    throw unavailable();
  }
  if (!isValid(payload)) throw unavailable();
  return payload;
}
