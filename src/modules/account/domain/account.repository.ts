import type { EntityManager } from 'typeorm';
import type { Cursor } from '../../../shared/http/pagination';
import type { Account } from './account';

export interface AccountRepository {
  /** In the caller's transaction. */
  create(tx: EntityManager, account: Account, apiKeyHash: string): Promise<void>;
  findByApiKeyHash(hash: string): Promise<Account | null>;
  findById(id: string): Promise<Account | null>;
  /** Newest first, `limit + 1` rows so that the caller can tell whether there is a next page. */
  listPage(limit: number, after?: Cursor): Promise<Account[]>;
  /** Replaces the customer account's key hash, so every older key stops matching; false when there is no such customer. */
  replaceApiKeyHash(accountId: string, apiKeyHash: string): Promise<boolean>;
}
