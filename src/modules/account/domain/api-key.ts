import { hash, randomBytes, timingSafeEqual } from 'crypto';

/** Keys are 256 random bits, so a fast hash is enough to store them: there is nothing to brute-force. */
export function generateApiKey(): string {
  return `cwk_${randomBytes(32).toString('base64url')}`;
}

/** One-shot hashing: a Hash object per request cost more than the digest of a 48-byte key. */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** Compares two key hashes in constant time (hashes have one length whatever was presented). */
export function sameHash(presented: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(presented, 'hex'), Buffer.from(expected, 'hex'));
}
