import { Inject, Injectable } from '@nestjs/common';
import { v7 as timeOrderedUuid } from 'uuid';
import type { Counter, Histogram } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../shared/database/after-commit';
import { decideBatch } from '../../../shared/database/batch-pipeline';
import { type Batch, type BatchOutcome, fixedBatch } from '../../../shared/database/hot-row-batcher';
import {
  IDEMPOTENCY_KEYS,
  type IdempotencyKeys,
  type IdempotentRequest,
} from '../../../shared/database/idempotent-request';
import { DomainError, NotFoundError } from '../../../shared/domain/domain-error';
import { EventRecorder } from '../../event/application/event-recorder';
import { MetricsRegistry } from '../../../shared/observability/metrics';
import {
  isSameMovement,
  type LedgerKey,
  move,
  sameLedgerKey,
  type TransactionReference,
  type TransactionType,
  type Wallet,
  type WalletTransaction,
} from '../domain/wallet';
import { CurrencyMismatchError, LedgerKeyReusedError, WalletNotEligibleError } from '../domain/wallet.errors';
import type { WalletRepository } from '../domain/wallet.repository';
import { WALLET_REPOSITORY } from '../wallet.tokens';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

export interface LedgerMovementCommand {
  walletId: string;
  /** Minor units, 1 .. 9007199254740991. */
  amount: bigint;
  /** Why the money moved, e.g. `{ type: 'order', id: orderId }`. */
  reference?: TransactionReference | null;
  description?: string | null;
  /**
   * At most one ledger entry per (wallet, key): a repeat returns the first entry unchanged. A
   * client's key is scoped to its account; the service's own keys use `serviceKey(...)`.
   */
  idempotencyKey?: LedgerKey | null;
  /** The wallet must belong to this account, else NotFoundError (never leak another's wallet). */
  expectedAccountId?: string;
  /**
   * The wallet must belong to this account, else WalletNotEligibleError: for money owed to an
   * account, where the caller (the admin) may see every wallet but only that account's may get it.
   */
  eligibleAccountId?: string;
  /** The wallet must hold this currency, else CurrencyMismatchError. */
  expectedCurrency?: string;
}

export interface LedgerMovement extends LedgerMovementCommand {
  type: TransactionType;
  /** The Idempotency-Key request this movement answers, claimed and answered with it. */
  idempotent?: IdempotentRequest<RecordedTransaction>;
}

/** A wallet locked by a batch, with the entries already recorded under the batch's ledger keys. */
interface LockedWallet {
  wallet: Wallet | undefined;
  known: WalletTransaction[];
  /** The entries the batch decides to write, and the balance after them. */
  written: WalletTransaction[];
  balance: bigint;
  /** When the batch's entries are made: one instant for all. */
  now: Date;
}

export interface RecordedTransaction extends WalletTransaction {
  /** True when the idempotency key had already recorded this movement: nothing changed now. */
  replayed: boolean;
}

/**
 * The only way money moves. Every method runs in the CALLER's transaction (`em`), so that another
 * module can debit a wallet and change its own rows atomically. The wallet's row is locked once
 * (`FOR UPDATE`, i.e. pessimistic_write) with `em` and stays locked until that transaction ends;
 * the caller's UnitOfWork sets the lock wait and maps a timeout (use `() => new WalletBusyError()`).
 *
 * Round trips: the claim of the movements' Idempotency-Keys (when any), one locked read that also
 * returns the entries already recorded under their keys, one write of the balance, every entry and
 * the requests' answers.
 */
@Injectable()
export class WalletLedgerFacade {
  private readonly movements: Counter<string>;
  private readonly lockWait: Histogram<string>;

  constructor(
    @Inject(WALLET_REPOSITORY) private readonly wallets: WalletRepository<EntityManager>,
    @Inject(IDEMPOTENCY_KEYS) private readonly keys: IdempotencyKeys,
    metrics: MetricsRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
  ) {
    this.movements = metrics.counter('wallet_movements_total', 'Wallet debits and credits by outcome', [
      'type',
      'outcome',
    ]);
    this.lockWait = metrics.lockWait('wallet_lock_wait_seconds', 'Time spent acquiring a wallet row lock');
  }

  /** Throws InsufficientFundsError, NotFoundError, CurrencyMismatchError, LedgerKeyReusedError. */
  debit(em: EntityManager, command: LedgerMovementCommand): Promise<RecordedTransaction> {
    return this.recordOne(em, { ...command, type: 'debit' });
  }

  /** Throws NotFoundError, CurrencyMismatchError, LedgerKeyReusedError, BalanceLimitExceededError. */
  credit(em: EntityManager, command: LedgerMovementCommand): Promise<RecordedTransaction> {
    return this.recordOne(em, { ...command, type: 'credit' });
  }

  /**
   * Movements of one wallet (a batch: see HotRowBatcher and decideBatch) decided one by one in
   * order, exactly as if each ran alone, each with its own outcome, written with one statement that
   * also carries the answers of the movements' Idempotency-Key requests.
   */
  record(
    em: EntityManager,
    walletId: string,
    batch: Batch<LedgerMovement>,
  ): Promise<Array<BatchOutcome<RecordedTransaction>>> {
    return decideBatch(em, this.keys, batch, {
      lock: (em, movements) => this.lock(em, walletId, movements),
      decide: async (_em, locked, movements) => movements.map((m) => this.decide(locked, m)),
      write: async (em, locked, movements, outcomes) => {
        if (locked.written.length > 0) {
          this.recordEvents(em, locked);
          await this.wallets.append(em, walletId, locked.balance, locked.written, locked.now);
        }
        afterCommit(em, () => outcomes.forEach((outcome, i) => this.count(movements[i].type, outcome)));
      },
    });
  }

  /** One `wallet.credited` or `wallet.debited` per entry, showing the wallet as it is after that entry. */
  private recordEvents(em: EntityManager, locked: LockedWallet): void {
    const wallet = locked.wallet as Wallet;
    this.events.record(
      em,
      locked.written.map((entry) => ({
        type: entry.type === 'credit' ? ('wallet.credited' as const) : ('wallet.debited' as const),
        accountId: wallet.accountId,
        resourceId: wallet.id,
        resource: { ...wallet, balance: entry.balanceAfter, updatedAt: locked.now },
      })),
    );
  }

  private async lock(
    em: EntityManager,
    walletId: string,
    movements: readonly LedgerMovement[],
  ): Promise<LockedWallet> {
    const keys = movements.flatMap((m) => (m.idempotencyKey ? [m.idempotencyKey] : []));
    const stopTimer = this.lockWait.startTimer();
    const locked = await this.wallets.lockWithEntries(em, walletId, keys);
    stopTimer();
    return {
      wallet: locked?.wallet,
      known: locked?.entries ?? [],
      written: [],
      balance: locked?.wallet.balance ?? 0n,
      now: new Date(this.clock.now()),
    };
  }

  private decide(locked: LockedWallet, movement: LedgerMovement): BatchOutcome<RecordedTransaction> {
    try {
      const wallet = this.check(locked.wallet, movement);
      const earlier = [...locked.known, ...locked.written].find((e) =>
        sameLedgerKey(e.idempotencyKey, movement.idempotencyKey ?? null),
      );
      if (earlier) return { ok: this.replay(earlier, movement) };
      const entry: WalletTransaction = {
        // Time-ordered, so that entries of one batch (one created_at) list in the order they were made.
        id: timeOrderedUuid(),
        walletId: wallet.id,
        ...move({ balance: locked.balance }, movement.type, movement.amount),
        description: movement.description ?? null,
        reference: movement.reference ?? null,
        idempotencyKey: movement.idempotencyKey ?? null,
        createdAt: locked.now,
      };
      locked.balance = entry.balanceAfter;
      locked.written.push(entry);
      return { ok: { ...entry, replayed: false } };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { error };
    }
  }

  /**
   * Locks several wallets in `em`'s transaction in the one global order (by id), so that
   * transactions moving money between the same wallets in opposite directions never deadlock.
   * Returns those that exist.
   */
  lockWallets(em: EntityManager, ids: string[]): Promise<Wallet[]> {
    return this.wallets.lockInOrder(em, [...new Set(ids)]);
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

  private async recordOne(em: EntityManager, movement: LedgerMovement): Promise<RecordedTransaction> {
    const [outcome] = await this.record(em, movement.walletId, fixedBatch([movement]));
    if ('error' in outcome) throw outcome.error;
    return outcome.ok;
  }

  private check(wallet: Wallet | undefined, movement: LedgerMovement): Wallet {
    if (
      !wallet ||
      (movement.expectedAccountId !== undefined && wallet.accountId !== movement.expectedAccountId)
    ) {
      throw new NotFoundError('Wallet', movement.walletId);
    }
    if (movement.eligibleAccountId !== undefined && wallet.accountId !== movement.eligibleAccountId) {
      throw new WalletNotEligibleError(movement.walletId);
    }
    if (movement.expectedCurrency !== undefined && wallet.currency !== movement.expectedCurrency) {
      throw new CurrencyMismatchError(wallet.currency, movement.expectedCurrency);
    }
    return wallet;
  }

  private replay(existing: WalletTransaction, movement: LedgerMovement): RecordedTransaction {
    if (!isSameMovement(existing, movement.type, movement.amount, movement.reference ?? null)) {
      throw new LedgerKeyReusedError(movement.idempotencyKey?.key ?? '');
    }
    return { ...existing, replayed: true };
  }

  private count(type: TransactionType, outcome: BatchOutcome<RecordedTransaction>): void {
    if ('ok' in outcome) this.movements.inc({ type, outcome: outcome.ok.replayed ? 'replayed' : 'recorded' });
    else if (outcome.error instanceof DomainError && outcome.error.code === 'insufficient_funds') {
      this.movements.inc({ type, outcome: 'insufficient_funds' });
    }
  }
}
