import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import type { ApiKeyAuthenticator } from '../../../shared/http/auth';
import type { Caller } from '../../../shared/domain/caller';
import { ACCOUNT_REPOSITORY } from '../account.tokens';
import { ADMIN_ACCOUNT_ID } from '../domain/account';
import type { AccountRepository } from '../domain/account.repository';
import { hashApiKey, sameHash } from '../domain/api-key';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

const MAX_KEY_LENGTH = 256;
/** How long a resolved key is believed: a replaced key stops working within this, in every process. */
export const API_KEY_CACHE_MS = 4000;
/**
 * Bounds the memory of each cache; past it the oldest entry makes room. Valid and unknown keys are
 * kept apart, so that a flood of distinct wrong keys can evict only other wrong keys.
 */
export const MAX_CACHED_KEYS = 10_000;

/**
 * Resolves API keys by their hash, from an in-process cache with a short TTL: a hot request costs
 * no database round trip for its key. Unknown keys are cached too, so a flood of wrong keys does
 * not become a flood of queries.
 */
@Injectable()
export class AuthenticateApiKeyService implements ApiKeyAuthenticator {
  private readonly valid = new Map<string, { caller: Caller; until: number }>();
  private readonly unknown = new Map<string, number>();
  private readonly adminHash: string;
  private readonly admin: Caller = { accountId: ADMIN_ACCOUNT_ID, name: 'admin', role: 'admin' };

  constructor(
    config: AppConfig,
    @Inject(ACCOUNT_REPOSITORY) private readonly accounts: AccountRepository<EntityManager>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.adminHash = hashApiKey(config.ADMIN_API_KEY);
  }

  known(apiKey: string): Caller | null | undefined {
    if (apiKey.length > MAX_KEY_LENGTH) return null;
    return this.cached(hashApiKey(apiKey), this.clock.now());
  }

  seenValid(apiKey: string): Caller | undefined {
    if (apiKey.length > MAX_KEY_LENGTH) return undefined;
    return this.valid.get(hashApiKey(apiKey))?.caller;
  }

  async authenticate(apiKey: string): Promise<Caller | null> {
    if (apiKey.length > MAX_KEY_LENGTH) return null;
    const hash = hashApiKey(apiKey);
    const now = this.clock.now();
    const cached = this.cached(hash, now);
    if (cached !== undefined) return cached;

    const account = await this.accounts.findByApiKeyHash(hash);
    if (!account) {
      remember(this.unknown, hash, now + API_KEY_CACHE_MS);
      return null;
    }
    const caller: Caller = { accountId: account.id, name: account.name, role: account.role };
    remember(this.valid, hash, { caller, until: now + API_KEY_CACHE_MS });
    return caller;
  }

  /** One hash per request, compared with the admin's in constant time, then looked up in the caches. */
  private cached(hash: string, now: number): Caller | null | undefined {
    if (sameHash(hash, this.adminHash)) return this.admin;
    const valid = this.valid.get(hash);
    if (valid && valid.until > now) return valid.caller;
    const unknownUntil = this.unknown.get(hash);
    if (unknownUntil !== undefined && unknownUntil > now) return null;
    return undefined;
  }
}

/** Sets an entry of a bounded cache, the oldest entry making room when it is full. */
function remember<V>(cache: Map<string, V>, hash: string, value: V): void {
  cache.delete(hash);
  if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string);
  cache.set(hash, value);
}
