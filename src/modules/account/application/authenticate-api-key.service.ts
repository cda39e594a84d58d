import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import type { ApiKeyAuthenticator } from '../../../shared/http/auth';
import type { Caller } from '../../../shared/domain/caller';
import { ACCOUNT_REPOSITORY } from '../account.tokens';
import { ADMIN_ACCOUNT_ID } from '../domain/account';
import type { AccountRepository } from '../domain/account.repository';
import { hashApiKey, sameHash } from '../domain/api-key';

const MAX_KEY_LENGTH = 256;
/** How long a resolved key is believed: a replaced key stops working within this, in every process. */
export const API_KEY_CACHE_MS = 4000;
/** Bounds the memory a flood of distinct keys can take; the cache starts afresh past it. */
const MAX_CACHED_KEYS = 10_000;

interface Cached {
  caller: Caller | null;
  until: number;
}

/**
 * Resolves API keys by their hash, from an in-process cache with a short TTL: a hot request costs
 * no database round trip for its key. Unknown keys are cached too, so a flood of wrong keys does
 * not become a flood of queries.
 */
@Injectable()
export class AuthenticateApiKeyService implements ApiKeyAuthenticator {
  private readonly cache = new Map<string, Cached>();
  private readonly adminHash: string;

  constructor(
    config: AppConfig,
    @Inject(ACCOUNT_REPOSITORY) private readonly accounts: AccountRepository<EntityManager>,
  ) {
    this.adminHash = hashApiKey(config.ADMIN_API_KEY);
  }

  async authenticate(apiKey: string): Promise<Caller | null> {
    if (apiKey.length > MAX_KEY_LENGTH) return null;
    // One hash per request, compared with the admin's in constant time and then looked up.
    const hash = hashApiKey(apiKey);
    if (sameHash(hash, this.adminHash)) {
      return { accountId: ADMIN_ACCOUNT_ID, name: 'admin', role: 'admin' };
    }
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.caller;

    const account = await this.accounts.findByApiKeyHash(hash);
    const caller: Caller | null = account
      ? { accountId: account.id, name: account.name, role: account.role }
      : null;
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
    this.cache.set(hash, { caller, until: now + API_KEY_CACHE_MS });
    return caller;
  }
}
