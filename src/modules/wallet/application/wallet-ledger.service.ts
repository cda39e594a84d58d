import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Counter, Histogram } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { MetricsRegistry } from '../../../shared/observability/metrics';
import {
  isSameMovement,
  move,
  type TransactionReference,
  type TransactionType,
  type Wallet,
  type WalletTransaction,
} from '../domain/wallet';
import { CurrencyMismatchError, InsufficientFundsError, LedgerKeyReusedError } from '../domain/wallet.errors';
import type { WalletRepository } from '../domain/wallet.repository';
import { WALLET_REPOSITORY } from '../wallet.tokens';

export interface LedgerMovementCommand {
  walletId: string;
  /** Minor units, 1 .. 9007199254740991. */
  amount: bigint;
  /** Why the money moved, e.g. `{ type: 'order', id: orderId }`. */
  reference?: TransactionReference | null;
  description?: string | null;
  /** At most one ledger entry per (wallet, key): a repeat returns the first entry unchanged. */
  idempotencyKey?: string | null;
  /** The wallet must belong to this account, else NotFoundError (never leak another's wallet). */
  expectedAccountId?: string;
  /** The wallet must hold this currency, else CurrencyMismatchError. */
  expectedCurrency?: string;
}

export interface RecordedTransaction extends WalletTransaction {
  /** True when the idempotency key had already recorded this movement: nothing changed now. */
  replayed: boolean;
}

/**
 * The only way money moves. Every method runs in the CALLER's transaction (`em`), so that another
 * module can debit a wallet and change its own rows atomically. The wallet's row is locked
 * (`pessimistic_write`) with `em` and stays locked until that transaction ends; the caller's
 * UnitOfWork sets the lock wait and maps a timeout (use `() => new WalletBusyError()`).
 */
@Injectable()
export class WalletLedgerService {
  private readonly movements: Counter<string>;
  private readonly lockWait: Histogram<string>;

  constructor(
    @Inject(WALLET_REPOSITORY) private readonly wallets: WalletRepository<EntityManager>,
    metrics: MetricsRegistry,
  ) {
    this.movements = metrics.counter('wallet_movements_total', 'Wallet debits and credits by outcome', [
      'type',
      'outcome',
    ]);
    this.lockWait = metrics.histogram(
      'wallet_lock_wait_seconds',
      'Time spent acquiring a wallet row lock',
      [],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    );
  }

  /** Throws InsufficientFundsError, NotFoundError, CurrencyMismatchError, LedgerKeyReusedError. */
  debit(em: EntityManager, command: LedgerMovementCommand): Promise<RecordedTransaction> {
    return this.record(em, 'debit', command);
  }

  /** Throws NotFoundError, CurrencyMismatchError, LedgerKeyReusedError, BalanceLimitExceededError. */
  credit(em: EntityManager, command: LedgerMovementCommand): Promise<RecordedTransaction> {
    return this.record(em, 'credit', command);
  }

  /** Without `em`, a plain read outside any transaction (no lock). */
  findWallet(id: string, em?: EntityManager): Promise<Wallet | null> {
    return this.wallets.findById(id, em);
  }

  async getBalance(id: string, em?: EntityManager): Promise<bigint> {
    const wallet = await this.wallets.findById(id, em);
    if (!wallet) throw new NotFoundError('Wallet', id);
    return wallet.balance;
  }

  findTransaction(id: string, em?: EntityManager): Promise<WalletTransaction | null> {
    return this.wallets.findTransactionById(id, em);
  }

  private async record(
    em: EntityManager,
    type: TransactionType,
    command: LedgerMovementCommand,
  ): Promise<RecordedTransaction> {
    const stopTimer = this.lockWait.startTimer();
    const wallet = await this.wallets.lockById(em, command.walletId);
    stopTimer();
    if (
      !wallet ||
      (command.expectedAccountId !== undefined && wallet.accountId !== command.expectedAccountId)
    ) {
      throw new NotFoundError('Wallet', command.walletId);
    }
    if (command.expectedCurrency !== undefined && wallet.currency !== command.expectedCurrency) {
      throw new CurrencyMismatchError(wallet.currency, command.expectedCurrency);
    }
    const reference = command.reference ?? null;
    const key = command.idempotencyKey ?? null;
    // Under the row lock every earlier movement of this wallet has committed or rolled back, so
    // this read sees any entry recorded with the key before.
    if (key !== null) {
      const existing = await this.wallets.findTransactionByKey(em, wallet.id, key);
      if (existing) return this.replay(existing, type, command.amount, reference, key);
    }

    let movement;
    try {
      movement = move(wallet, type, command.amount);
    } catch (error) {
      if (error instanceof InsufficientFundsError)
        this.movements.inc({ type, outcome: 'insufficient_funds' });
      throw error;
    }
    const transaction: WalletTransaction = {
      id: randomUUID(),
      walletId: wallet.id,
      ...movement,
      description: command.description ?? null,
      reference,
      idempotencyKey: key,
      createdAt: new Date(),
    };
    if (!(await this.wallets.insertTransaction(em, transaction))) {
      // The unique (wallet_id, idempotency_key) constraint answered instead of the read above.
      const existing = await this.wallets.findTransactionByKey(em, wallet.id, key as string);
      if (!existing) throw new Error(`ledger entry for key ${key} vanished`);
      return this.replay(existing, type, command.amount, reference, key as string);
    }
    await this.wallets.updateBalance(em, wallet.id, movement.balanceAfter);
    this.movements.inc({ type, outcome: 'recorded' });
    return { ...transaction, replayed: false };
  }

  private replay(
    existing: WalletTransaction,
    type: TransactionType,
    amount: bigint,
    reference: TransactionReference | null,
    key: string,
  ): RecordedTransaction {
    if (!isSameMovement(existing, type, amount, reference)) throw new LedgerKeyReusedError(key);
    this.movements.inc({ type, outcome: 'replayed' });
    return { ...existing, replayed: true };
  }
}
