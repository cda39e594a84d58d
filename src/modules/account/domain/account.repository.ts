import type { Account } from './account';

export interface AccountRepository {
  create(account: Account, apiKeyHash: string): Promise<void>;
  findByApiKeyHash(hash: string): Promise<Account | null>;
  findById(id: string): Promise<Account | null>;
}
