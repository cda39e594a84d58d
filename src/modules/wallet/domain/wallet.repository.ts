import type { Cursor } from '../../../shared/domain/cursor';
import type { Authorization } from './authorization';
import type { LedgerKey, Wallet, WalletTransaction } from './wallet';

export type NewWallet = Pick<Wallet, 'id' | 'accountId' | 'currency'>;

/**
 * Storage of wallets and their ledger. `Tx` is the transaction handle of the implementation (an
 * EntityManager for TypeORM); methods that take one run inside the caller's transaction.
 */
export interface WalletRepository<Tx> {
  /** An empty wallet. Throws WalletExistsError when the account has one in that currency. */
  create(tx: Tx, wallet: NewWallet): Promise<Wallet>;
  findById(id: string, tx?: Tx): Promise<Wallet | null>;
  /** An account's wallets newest first, strictly after `cursor`. */
  listByAccount(accountId: string, limit: number, cursor?: Cursor): Promise<Wallet[]>;
  /**
   * Locks the wallet's row until the transaction ends and returns it with the ledger entries already
   * recorded under any of `keys`, in one round trip.
   */
  lockWithEntries(
    tx: Tx,
    id: string,
    keys: LedgerKey[],
  ): Promise<{ wallet: Wallet; entries: WalletTransaction[] } | null>;
  /**
   * Locks the wallets among `ids` that exist until the transaction ends, one after another in the
   * order of their ids: the one global order in which any transaction locks several wallets.
   */
  lockInOrder(tx: Tx, ids: string[]): Promise<Wallet[]>;
  /**
   * The wallet's authorizations among `ids`, and those recorded under any of `keys`, as committed
   * now: called with the wallet locked, so that no other transaction changes them meanwhile.
   */
  findAuthorizations(tx: Tx, walletId: string, ids: string[], keys: LedgerKey[]): Promise<Authorization[]>;
  /**
   * Sets the balance and `held`, appends the entries, inserts the new authorizations and writes the
   * changed ones (each only from pending), in one statement that also carries the side-writes queued
   * on the transaction. Throws LedgerConflictError when an entry's or a new authorization's
   * (wallet, key) is already recorded, or a changed authorization was no longer pending: nothing is
   * written then. `state.updatedAt` is the wallet's new `updated_at` (the batch's clock time).
   */
  append(
    tx: Tx,
    id: string,
    state: Pick<Wallet, 'balance' | 'held' | 'updatedAt'>,
    entries: WalletTransaction[],
    authorizations?: { created: Authorization[]; changed: Authorization[] },
  ): Promise<void>;
  findAuthorizationById(id: string, tx?: Tx): Promise<Authorization | null>;
  /** Pending authorizations past their deadline at `now`, oldest deadline first. */
  findOverdueAuthorizations(
    tx: Tx,
    now: Date,
    limit: number,
  ): Promise<Array<Pick<Authorization, 'id' | 'walletId'>>>;
  findTransactionById(id: string, tx?: Tx): Promise<WalletTransaction | null>;
  /** Newest first, strictly after `cursor`. */
  listTransactions(walletId: string, limit: number, cursor?: Cursor): Promise<WalletTransaction[]>;
}
