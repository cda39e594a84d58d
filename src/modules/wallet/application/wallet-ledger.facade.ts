import { Inject, Injectable } from '@nestjs/common';
import { v7 as timeOrderedUuid } from 'uuid';
import type { Counter, Histogram } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../shared/database/after-commit';
import { DomainError, NotFoundError } from '../../../shared/domain/domain-error';
import { batchAnswers, claimVerdict } from '../../../shared/idempotency/batch-idempotency';
import { IdempotencyStore } from '../../../shared/idempotency/idempotency.store';
import type { IdempotentCall } from '../../../shared/idempotency/idempotent-call';
import { type Batch, type BatchOutcome, fixedBatch } from '../../../shared/database/hot-row-batcher';
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
  call?: IdempotentCall;
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
    private readonly idempotency: IdempotencyStore,
    metrics: MetricsRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
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
   * Movements of one wallet (a batch: see HotRowBatcher) decided one by one in order, exactly as if
   * each ran alone, each with its own outcome; written with one statement. Movements carrying an Idempotency-Key request are
   * claimed after the lock and answered in this transaction (`present` turns a result into the
   * request's body); a key answered before comes back as an IdempotentReplay outcome.
   */
  async record(
    em: EntityManager,
    walletId: string,
    batch: Batch<LedgerMovement>,
  ): Promise<Array<BatchOutcome<RecordedTransaction>>> {
    const movements = await batch.take();
    // Claimed before the lock, while the batch ahead still holds the row: a key's claim waits only
    // for another request with that key, and the row's lock is held for two round trips, not four.
    const calls = movements.flatMap((m) => (m.call ? [m.call] : []));
    const claims = await this.idempotency.claimIn(em, calls);
    const keys = movements.flatMap((m) => (m.idempotencyKey ? [m.idempotencyKey] : []));
    const stopTimer = this.lockWait.startTimer();
    const locked = await this.wallets.lockWithEntries(em, walletId, keys);
    batch.locked();
    stopTimer();

    const known = locked?.entries ?? [];
    const written: WalletTransaction[] = [];
    const outcomes: Array<BatchOutcome<RecordedTransaction>> = [];
    let balance = locked?.wallet.balance ?? 0n;
    const now = new Date(this.clock.now());
    for (const movement of movements) {
      const verdict = claimVerdict(movement.call && claims.get(movement.call));
      if (verdict) {
        outcomes.push(verdict);
        continue;
      }
      try {
        const wallet = this.check(locked?.wallet, movement);
        const earlier = [...known, ...written].find((e) =>
          sameLedgerKey(e.idempotencyKey, movement.idempotencyKey ?? null),
        );
        if (earlier) {
          outcomes.push({ ok: this.replay(earlier, movement) });
          continue;
        }
        const entry: WalletTransaction = {
          // Time-ordered, so that entries of one batch (one created_at) list in the order they were made.
          id: timeOrderedUuid(),
          walletId: wallet.id,
          ...move({ balance }, movement.type, movement.amount),
          description: movement.description ?? null,
          reference: movement.reference ?? null,
          idempotencyKey: movement.idempotencyKey ?? null,
          createdAt: now,
        };
        balance = entry.balanceAfter;
        written.push(entry);
        outcomes.push({ ok: { ...entry, replayed: false } });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        outcomes.push({ error });
      }
    }
    const answers = batchAnswers(
      movements.map((m) => m.call),
      outcomes,
    );
    if (written.length > 0) {
      await this.wallets.append(em, walletId, balance, written, this.idempotency.answersIn(em, answers));
    } else {
      await this.idempotency.recordIn(em, answers);
    }
    afterCommit(em, () => outcomes.forEach((outcome, i) => this.count(movements[i].type, outcome)));
    return outcomes;
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
