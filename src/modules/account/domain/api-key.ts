import { hash, randomBytes } from 'crypto';

/** Keys are 256 random bits, so a fast hash is enough to store them: there is nothing to brute-force. */
export function generateApiKey(): string {
  return `cwk_${randomBytes(32).toString('base64url')}`;
}

/** One-shot hashing: a Hash object per request cost more than the digest of a 48-byte key. */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/**
 * Compares two key hashes in constant time (hashes have one length whatever was presented): every
 * character is looked at whatever differs. On the hex strings themselves, because decoding both
 * into Buffers for timingSafeEqual cost as much as the hash, on every authenticated request.
 */
export function sameHash(presented: string, expected: string): boolean {
  if (presented.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < presented.length; i++) difference |= presented.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}
