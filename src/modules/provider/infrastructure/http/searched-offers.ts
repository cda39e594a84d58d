import { createHash } from 'crypto';
import type Redis from 'ioredis';

/**
 * The offers a live search returned, kept by the digest of their content until they go stale, so
 * that pricing sends the provider the very offer the customer chose rather than searching again for
 * a look-alike. Content-addressed: every process computes the same key, and an id cannot name an
 * offer nobody stored.
 */
export class SearchedOffers {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly ttlSeconds: number,
  ) {}

  async keep(offer: unknown): Promise<string> {
    const json = JSON.stringify(offer);
    const digest = createHash('sha256').update(json).digest('base64url');
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
