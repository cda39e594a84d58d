import type { Cursor } from '../../../shared/http/pagination';
import type { Wallet, WalletTransaction } from './wallet';

export type NewWallet = Pick<Wallet, 'id' | 'accountId' | 'currency'>;

/**
 * Storage of wallets and their ledger. `Tx` is the transaction handle of the implementation (an
 * EntityManager for TypeORM); methods that take one run inside the caller's transaction.
 */
export interface WalletRepository<Tx> {
  /** An empty wallet. Throws WalletExistsError when the account has one in that currency. */
  create(wallet: NewWallet): Promise<Wallet>;
  findById(id: string, tx?: Tx): Promise<Wallet | null>;
  /** Reads the wallet and holds its row lock until the transaction ends. */
  lockById(tx: Tx, id: string): Promise<Wallet | null>;
  updateBalance(tx: Tx, id: string, balance: bigint): Promise<void>;
  /** False when (wallet, idempotency key) is already in the ledger: nothing was inserted. */
  insertTransaction(tx: Tx, transaction: WalletTransaction): Promise<boolean>;
  findTransactionByKey(tx: Tx, walletId: string, idempotencyKey: string): Promise<WalletTransaction | null>;
  findTransactionById(id: string, tx?: Tx): Promise<WalletTransaction | null>;
  /** Newest first, strictly after `cursor`. */
  listTransactions(walletId: string, limit: number, cursor?: Cursor): Promise<WalletTransaction[]>;
}
