import type { Cursor } from '../../../shared/domain/cursor';
import type { Account } from './account';

/** Storage of accounts; `create` and `replaceApiKeyHash` run inside the caller's transaction `tx`. */
export interface AccountRepository<Tx> {
  create(tx: Tx, account: Account, apiKeyHash: string): Promise<void>;
  findByApiKeyHash(hash: string): Promise<Account | null>;
  findById(id: string): Promise<Account | null>;
  /** Newest first, `limit + 1` rows so that the caller can tell whether there is a next page. */
  listPage(limit: number, after?: Cursor): Promise<Account[]>;
  /** Replaces the customer account's key hash, so every older key stops matching; false when there is no such customer. */
  replaceApiKeyHash(tx: Tx, accountId: string, apiKeyHash: string): Promise<boolean>;
}
