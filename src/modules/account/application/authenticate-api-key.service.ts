import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import type { ApiKeyAuthenticator, Principal } from '../../../shared/http/auth';
import { ACCOUNT_REPOSITORY } from '../account.tokens';
import { ADMIN_ACCOUNT_ID } from '../domain/account';
import type { AccountRepository } from '../domain/account.repository';
import { hashApiKey, sameKey } from '../domain/api-key';

const MAX_KEY_LENGTH = 256;

@Injectable()
export class AuthenticateApiKeyService implements ApiKeyAuthenticator {
  constructor(
    private readonly config: AppConfig,
    @Inject(ACCOUNT_REPOSITORY) private readonly accounts: AccountRepository,
  ) {}

  async authenticate(apiKey: string): Promise<Principal | null> {
    if (apiKey.length > MAX_KEY_LENGTH) return null;
    if (sameKey(apiKey, this.config.ADMIN_API_KEY)) {
      return { accountId: ADMIN_ACCOUNT_ID, name: 'admin', role: 'admin' };
    }
    const account = await this.accounts.findByApiKeyHash(hashApiKey(apiKey));
    return account ? { accountId: account.id, name: account.name, role: account.role } : null;
  }
}
