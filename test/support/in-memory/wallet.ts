import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import { v7 as timeOrderedUuid } from 'uuid';
import type { WalletLock } from '../../../src/modules/wallet/application/wallet-lock';
import type { Authorization } from '../../../src/modules/wallet/domain/authorization';
import type { Transfer } from '../../../src/modules/wallet/domain/transfer';
import type { TransferRepository } from '../../../src/modules/wallet/domain/transfer.repository';
import {
  type LedgerKey,
  MAX_BALANCE,
  sameLedgerKey,
  type Wallet,
  type WalletTransaction,
} from '../../../src/modules/wallet/domain/wallet';
import { LedgerConflictError, WalletExistsError } from '../../../src/modules/wallet/domain/wallet.errors';
import type { NewWallet, WalletRepository } from '../../../src/modules/wallet/domain/wallet.repository';
import type { Cursor } from '../../../src/shared/domain/cursor';
import { checkViolation, type InMemoryDatabase, newestFirstPage, uniqueViolation } from './database';

export const WALLETS = 'wallets';
export const WALLET_TRANSACTIONS = 'wallet_transactions';
export const TRANSFERS = 'transfers';
export const AUTHORIZATIONS = 'authorizations';

/**
 * WalletRepository over the in-memory database. As the TypeORM one: one wallet per account and
 * currency (WalletExistsError); `lockWithEntries` of an unknown wallet is null, and gives the
 * wallet's entries recorded under any of the keys, oldest first; `lockInOrder` locks and returns
 * only the wallets that exist, in id order; `append` writes nothing and throws LedgerConflictError
 * when an entry's (wallet, scope, key) is in the ledger already (entries without a key never
 * conflict), and the balance CHECK (0 .. 9007199254740991) holds. Lists are newest first by
 * (created_at, id). Not mirrored: the foreign key to accounts (any account id is taken).
 */
export class InMemoryWalletRepository implements WalletRepository<EntityManager> {
  constructor(private readonly db: InMemoryDatabase) {}

  async create(tx: EntityManager, wallet: NewWallet): Promise<Wallet> {
    const table = this.db.table<Wallet>(WALLETS, tx);
    if (table.find((w) => w.accountId === wallet.accountId && w.currency === wallet.currency)) {
      throw new WalletExistsError(wallet.accountId, wallet.currency);
    }
    const createdAt = new Date();
    const row: Wallet = { ...wallet, balance: 0n, held: 0n, createdAt, updatedAt: createdAt };
    table.insert(wallet.id, row);
    return row;
  }

  async findById(id: string, tx?: EntityManager): Promise<Wallet | null> {
    return this.db.table<Wallet>(WALLETS, tx).get(id);
  }

  async listByAccount(accountId: string, limit: number, cursor?: Cursor): Promise<Wallet[]> {
    const rows = this.db.table<Wallet>(WALLETS).filter((w) => w.accountId === accountId);
    return newestFirstPage(rows, limit, cursor);
  }

  async lockWithEntries(
    tx: EntityManager,
    id: string,
    keys: LedgerKey[],
  ): Promise<{ wallet: Wallet; entries: WalletTransaction[] } | null> {
    this.db.lock(WALLETS, id, tx);
    const wallet = this.db.table<Wallet>(WALLETS, tx).get(id);
    if (!wallet) return null;
    const entries =
      keys.length === 0
        ? []
        : this.db
            .table<WalletTransaction>(WALLET_TRANSACTIONS, tx)
            .filter((t) => t.walletId === id && keys.some((k) => sameLedgerKey(t.idempotencyKey, k)))
            .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return { wallet, entries };
  }

  async lockInOrder(tx: EntityManager, ids: string[]): Promise<Wallet[]> {
    const table = this.db.table<Wallet>(WALLETS, tx);
    const wallets: Wallet[] = [];
    for (const id of [...ids].sort()) {
      const wallet = table.get(id);
      if (!wallet) continue;
      this.db.lock(WALLETS, id, tx);
      wallets.push(wallet);
    }
    return wallets;
  }

  async append(
    tx: EntityManager,
    id: string,
    state: Pick<Wallet, 'balance' | 'held' | 'updatedAt'>,
    entries: WalletTransaction[],
    authorizations: { created: Authorization[]; changed: Authorization[] } = { created: [], changed: [] },
  ): Promise<void> {
    const wallets = this.db.table<Wallet>(WALLETS, tx);
    const ledger = this.db.table<WalletTransaction>(WALLET_TRANSACTIONS, tx);
    const held = this.db.table<Authorization>(AUTHORIZATIONS, tx);
    const { balance } = state;
    if (balance < 0n || balance > MAX_BALANCE) throw checkViolation('wallets_balance_check');
    if (state.held < 0n || state.held > balance) throw checkViolation('wallets_held_check');
    const recorded = ledger.filter((t) => t.walletId === id && t.idempotencyKey !== null);
    const keyed = entries.filter((e) => e.idempotencyKey !== null);
    const clash = keyed.some(
      (e, i) =>
        recorded.some((t) => sameLedgerKey(t.idempotencyKey, e.idempotencyKey)) ||
        keyed.slice(0, i).some((other) => sameLedgerKey(other.idempotencyKey, e.idempotencyKey)),
    );
    const authorizationClash = authorizations.created.some(
      (a) =>
        a.idempotencyKey !== null &&
        held.find((b) => b.walletId === id && sameLedgerKey(b.idempotencyKey, a.idempotencyKey)) !== null,
    );
    const notPending = authorizations.changed.some((a) => {
      const stored = held.get(a.id);
      return !stored || stored.walletId !== id || stored.status !== 'pending';
    });
    if (clash || authorizationClash || notPending) throw new LedgerConflictError(id);
    if (!wallets.update(id, (w) => ({ ...w, balance, held: state.held, updatedAt: state.updatedAt }))) {
      throw new Error(`in-memory wallets: no wallet ${id} to append to`);
    }
    for (const entry of entries) ledger.insert(entry.id, { ...entry, walletId: id });
    for (const a of authorizations.created) held.insert(a.id, { ...a, walletId: id });
    for (const a of authorizations.changed) held.update(a.id, (stored) => ({ ...stored, ...a }));
  }

  async findAuthorizations(
    tx: EntityManager,
    walletId: string,
    ids: string[],
    keys: LedgerKey[],
  ): Promise<Authorization[]> {
    return this.db
      .table<Authorization>(AUTHORIZATIONS, tx)
      .filter(
        (a) =>
          a.walletId === walletId &&
          (ids.includes(a.id) || keys.some((k) => sameLedgerKey(a.idempotencyKey, k))),
      );
  }

  async findAuthorizationById(id: string, tx?: EntityManager): Promise<Authorization | null> {
    return this.db.table<Authorization>(AUTHORIZATIONS, tx).get(id);
  }

  async findOverdueAuthorizations(
    tx: EntityManager,
    now: Date,
    limit: number,
  ): Promise<Array<Pick<Authorization, 'id' | 'walletId'>>> {
    return this.db
      .table<Authorization>(AUTHORIZATIONS, tx)
      .filter((a) => a.status === 'pending' && a.expiresAt.getTime() <= now.getTime())
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit)
      .map((a) => ({ id: a.id, walletId: a.walletId }));
  }

  async findTransactionById(id: string, tx?: EntityManager): Promise<WalletTransaction | null> {
    return this.db.table<WalletTransaction>(WALLET_TRANSACTIONS, tx).get(id);
  }

  async listTransactions(walletId: string, limit: number, cursor?: Cursor): Promise<WalletTransaction[]> {
    const rows = this.db.table<WalletTransaction>(WALLET_TRANSACTIONS).filter((t) => t.walletId === walletId);
    return newestFirstPage(rows, limit, cursor);
  }

  /** The committed wallet. */
  committed(id: string): Wallet | null {
    return this.db.table<Wallet>(WALLETS).get(id);
  }

  /** The committed ledger of a wallet, oldest first. */
  ledger(walletId: string): WalletTransaction[] {
    return this.db
      .table<WalletTransaction>(WALLET_TRANSACTIONS)
      .filter((t) => t.walletId === walletId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  }

  /** Credits minus debits in the committed ledger: what the balance must always be. */
  ledgerSum(walletId: string): bigint {
    return this.ledger(walletId).reduce((sum, t) => sum + (t.type === 'credit' ? t.amount : -t.amount), 0n);
  }
}

/**
 * TransferRepository over the in-memory database; as the SQL one, a ledger entry belongs to one
 * transfer at most (UNIQUE debit and credit transaction ids).
 */
export class InMemoryTransferRepository implements TransferRepository<EntityManager> {
  constructor(private readonly db: InMemoryDatabase) {}

  async insert(tx: EntityManager, transfers: Transfer[]): Promise<void> {
    const table = this.db.table<Transfer>(TRANSFERS, tx);
    for (const transfer of transfers) {
      if (table.find((t) => t.debitTransactionId === transfer.debitTransactionId)) {
        throw uniqueViolation('transfers_debit_transaction_id_unique');
      }
      if (table.find((t) => t.creditTransactionId === transfer.creditTransactionId)) {
        throw uniqueViolation('transfers_credit_transaction_id_unique');
      }
      table.insert(transfer.id, transfer);
    }
  }

  async findById(id: string, tx?: EntityManager): Promise<Transfer | null> {
    return this.db.table<Transfer>(TRANSFERS, tx).get(id);
  }

  async findByDebitTransactionId(tx: EntityManager, debitTransactionId: string): Promise<Transfer | null> {
    return this.db.table<Transfer>(TRANSFERS, tx).find((t) => t.debitTransactionId === debitTransactionId);
  }

  /** The committed transfers. */
  all(): Transfer[] {
    return this.db.table<Transfer>(TRANSFERS).values();
  }
}

/**
 * WalletLock within one process: work on one wallet takes turns, as processes would on the Redis
 * lock. It is an optimisation only in the real service, and orders nothing the database does not.
 */
export class InMemoryWalletLock implements WalletLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async withLock<T>(walletId: string, work: () => Promise<T>): Promise<T> {
    const ahead = this.tails.get(walletId) ?? Promise.resolve();
    const run = ahead.then(work);
    const tail = run.catch(() => undefined);
    this.tails.set(walletId, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(walletId) === tail) this.tails.delete(walletId);
    }
  }
}

/**
 * A committed wallet whose balance came from one opening credit in its ledger, so that the balance
 * equals the ledger's sum from the start.
 */
export function seedWallet(
  db: InMemoryDatabase,
  wallet: Partial<Omit<Wallet, 'createdAt' | 'updatedAt'>> = {},
): Wallet {
  const createdAt = new Date(db.clock.now());
  const row: Wallet = {
    id: randomUUID(),
    accountId: randomUUID(),
    currency: 'USD',
    balance: 0n,
    held: 0n,
    ...wallet,
    createdAt,
    updatedAt: createdAt,
  };
  if (db.table<Wallet>(WALLETS).find((w) => w.accountId === row.accountId && w.currency === row.currency)) {
    throw new WalletExistsError(row.accountId, row.currency);
  }
  if (row.balance > 0n) {
    const opening: WalletTransaction = {
      id: timeOrderedUuid(),
      walletId: row.id,
      type: 'credit',
      amount: row.balance,
      balanceBefore: 0n,
      balanceAfter: row.balance,
      description: 'Opening balance',
      reference: null,
      idempotencyKey: null,
      createdAt,
    };
    db.seed(WALLET_TRANSACTIONS, opening.id, opening);
  }
  return db.seed(WALLETS, row.id, row);
}
