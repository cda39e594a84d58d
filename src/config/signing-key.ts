import { hkdfSync } from 'crypto';

/** What a key signs; each use gets a key of its own, so that a value signed for one is never valid as another. */
export type SigningPurpose = 'sandbox offer ids' | 'list cursors' | 'webhook endpoint secrets';

/** The key for `purpose`, derived from SIGNING_SECRET: the same in every process that shares the secret. */
export function signingKey(signingSecret: string, purpose: SigningPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', signingSecret, 'checkout-wallet-service', purpose, 32));
}
