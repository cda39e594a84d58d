import { createHmac, timingSafeEqual } from 'crypto';
import { signingKey } from '../../../config/signing-key';
import { OfferUnavailableError } from '../domain/provider.errors';

/**
 * Offer ids carry what is needed to find the offer again: the sandboxes' search criteria and the
 * choice within them, or for a live provider the key of the searched offer it keeps for a while
 * (the offer is priced and booked as it was found, never searched again).
 *
 * A provider that re-checks every offer itself (the live APIs) needs no more. A provider that
 * trusts the id (the sandboxes) signs it: with a key, an id is `prefix.payload.mac`, and only
 * ids made with the same key are accepted, so a hand-made id (a date that does not exist, a price
 * nobody quoted) is refused as an offer the provider never issued. An id is accepted only in the one
 * spelling this module writes: base64url decoding skips padding and stray characters, so `<id>==`
 * or `<id>!!` would otherwise name the same offer under another id.
 */
export function encodeOfferId(prefix: string, payload: object, key?: Buffer): string {
  const unsigned = `${prefix}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return key ? `${unsigned}.${mac(key, unsigned).toString('base64url')}` : unsigned;
}

export function decodeOfferId<T>(
  prefix: string,
  id: string,
  isValid: (value: unknown) => value is T,
  key?: Buffer,
): T {
  const unavailable = () => new OfferUnavailableError(`Offer ${id} is not a known offer`);
  const parts = id.split('.');
  if (parts[0] !== prefix || parts.length !== (key ? 3 : 2)) throw unavailable();
  if (key) {
    const given = Buffer.from(parts[2], 'base64url');
    const expected = mac(key, `${parts[0]}.${parts[1]}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unavailable();
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw unavailable();
  }
  if (!isValid(payload) || encodeOfferId(prefix, payload as object, key) !== id) throw unavailable();
  return payload;
}

/** The guard of an offer id's payload: an object whose fields pass `check`. */
export function choiceGuard<T>(check: (choice: T) => boolean): (value: unknown) => value is T {
  return (value: unknown): value is T => typeof value === 'object' && value !== null && check(value as T);
}

/** The signing key of sandbox offer ids, from SIGNING_SECRET (never from the admin key: offer ids are public). */
export function sandboxOfferIdKey(signingSecret: string): Buffer {
  return signingKey(signingSecret, 'sandbox offer ids');
}

/** An integer from min to max, both included. */
export function isIntBetween(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest().subarray(0, 16);
}
