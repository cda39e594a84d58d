import { createHash } from 'crypto';
import type Redis from 'ioredis';

/** Where a live adapter keeps the offers it searched until they are priced. */
export interface SearchedOfferStore {
  /** Keeps an offer; returns the key an offer id carries to find it again. */
  keep(offer: unknown): Promise<string>;
  /** The offer kept under `key`, or undefined when it is unknown or gone stale. */
  find(key: string): Promise<unknown>;
}

/** The key of an offer: the digest of its content. */
export function offerDigest(json: string): string {
  return createHash('sha256').update(json).digest('base64url');
}

/**
 * The offers a live search returned, kept by the digest of their content until they go stale, so
 * that pricing sends the provider the very offer the customer chose rather than searching again for
 * a look-alike. Content-addressed: every process computes the same key, and an id cannot name an
 * offer nobody stored.
 */
export class SearchedOffers implements SearchedOfferStore {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly ttlSeconds: number,
  ) {}

  async keep(offer: unknown): Promise<string> {
    const json = JSON.stringify(offer);
    const digest = offerDigest(json);
    await this.redis.set(this.key(digest), json, 'EX', this.ttlSeconds);
    return digest;
  }

  async find(digest: string): Promise<unknown> {
    const json = await this.redis.get(this.key(digest));
    return json === null ? undefined : (JSON.parse(json) as unknown);
  }

  private key(digest: string): string {
    return `${this.namespace}:${digest}`;
  }
}
