import type { EntityManager } from 'typeorm';
import type { Account } from './account';

export interface AccountRepository {
  /** In the caller's transaction. */
  create(tx: EntityManager, account: Account, apiKeyHash: string): Promise<void>;
  findByApiKeyHash(hash: string): Promise<Account | null>;
  findById(id: string): Promise<Account | null>;
}
