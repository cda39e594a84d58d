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
import { MetricsRegistry } from '../../../shared/observability/metrics';
import {
  isSameMovement,
  type LedgerKey,
  move,
  sameLedgerKey,
  serviceKey,
  type TransactionReference,
  type TransactionType,
  type Wallet,
  type WalletTransaction,
} from '../domain/wallet';
import {
  type Authorization,
  type AuthorizationAction,
  type AuthorizationStatus,
  captureKey,
  hold,
  released,
  settle,
} from '../domain/authorization';
import { CurrencyMismatchError, LedgerKeyReusedError, WalletNotEligibleError } from '../domain/wallet.errors';
import type { WalletRepository } from '../domain/wallet.repository';
import { AUTHORIZATION_EXPIRY_SCHEDULER, WALLET_REPOSITORY } from '../wallet.tokens';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import type { DeadlineScheduler } from '../../../shared/queue/deadline';
import { EventRecorder } from '../../event/application/event-recorder';

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

/** A new authorization: money of the wallet held for a later capture. */
export interface AuthorizeCommand {
  kind: 'authorize';
  walletId: string;
  amount: bigint;
  expiresInSeconds: number;
  description?: string | null;
  /** At most one authorization per (wallet, key): a repeat with the same amount is the first one. */
  idempotencyKey?: LedgerKey | null;
  /** The wallet must belong to this account, else NotFoundError. */
  expectedAccountId?: string;
  idempotent?: IdempotentRequest<AuthorizationResult>;
}

/** A capture, void or expiry of one of the wallet's authorizations. */
export interface SettleCommand {
  kind: 'settle';
  walletId: string;
  authorizationId: string;
  action: AuthorizationAction;
  /** The authorization must belong to this account, else NotFoundError. */
  expectedAccountId?: string;
  /** The authorization must hold this currency, else CurrencyMismatchError. */
  expectedCurrency?: string;
  /** What the capture's ledger entry says. */
  description?: string | null;
  idempotent?: IdempotentRequest<AuthorizationResult>;
}

/** Anything a wallet's batch decides: a movement of money, or a change of an authorization. */
export type WalletOperation = LedgerMovement | AuthorizeCommand | SettleCommand;

export interface AuthorizationResult {
  authorization: Authorization;
  /** A capture's `debit` entry (reference_type `authorization`); null for anything else. */
  transaction: WalletTransaction | null;
  /** True when nothing changed now (a repeat of a recorded authorization, an early expiry). */
  replayed: boolean;
}

export type WalletOperationResult = RecordedTransaction | AuthorizationResult;

/** A wallet locked by a batch, with what its keys and authorizations already recorded. */
interface LockedWallet {
  wallet: Wallet | undefined;
  known: WalletTransaction[];
  /** The batch's authorizations as committed, by id (those it names, and those of its keys). */
  authorizations: Map<string, Authorization>;
  /** The entries the batch decides to write, and the balance and held after them. */
  written: WalletTransaction[];
  created: Authorization[];
  changed: Authorization[];
  balance: bigint;
  held: bigint;
  /** The wallet as each written entry left it (its `wallet.credited` / `wallet.debited` event). */
  after: Wallet[];
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
    @Inject(AUTHORIZATION_EXPIRY_SCHEDULER) private readonly expiry: DeadlineScheduler,
    private readonly events: EventRecorder,
  ) {
    this.movements = metrics.counter(
      'wallet_movements_total',
      'Wallet debits, credits and authorization changes by outcome',
      ['type', 'outcome'],
    );
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
   * Operations of one wallet (a batch: see HotRowBatcher and decideBatch) decided one by one in
   * order, exactly as if each ran alone, each with its own outcome, written with one statement that
   * also carries the answers of the operations' Idempotency-Key requests. A batch with
   * authorizations in it reads them once, under the wallet's lock.
   */
  record(
    em: EntityManager,
    walletId: string,
    batch: Batch<LedgerMovement>,
  ): Promise<Array<BatchOutcome<RecordedTransaction>>>;
  record(
    em: EntityManager,
    walletId: string,
    batch: Batch<WalletOperation>,
  ): Promise<Array<BatchOutcome<WalletOperationResult>>>;
  record(
    em: EntityManager,
    walletId: string,
    batch: Batch<WalletOperation>,
  ): Promise<Array<BatchOutcome<WalletOperationResult>>> {
    return decideBatch(
      em,
      this.keys,
      batch as Batch<WalletOperation & { idempotent?: IdempotentRequest<WalletOperationResult> }>,
      {
        lock: (em, operations) => this.lock(em, walletId, operations),
        decide: async (_em, locked, operations) => operations.map((op) => this.decideOne(locked, op)),
        write: async (em, locked, operations, outcomes) => {
          // Queued before the write, so that the events ride along in its statement.
          this.events.record(em, [
            ...locked.written.map((entry, i) => ({
              type: entry.type === 'credit' ? ('wallet.credited' as const) : ('wallet.debited' as const),
              accountId: locked.after[i].accountId,
              resourceId: locked.after[i].id,
              resource: locked.after[i],
            })),
            ...locked.created.map((a) => ({
              type: 'authorization.created' as const,
              accountId: a.accountId,
              resourceId: a.id,
              resource: a,
            })),
            ...locked.changed.map((a) => ({
              type: `authorization.${a.status as Exclude<AuthorizationStatus, 'pending'>}` as const,
              accountId: a.accountId,
              resourceId: a.id,
              resource: a,
            })),
          ]);
          if (locked.written.length + locked.created.length + locked.changed.length > 0) {
            await this.wallets.append(
              em,
              walletId,
              { balance: locked.balance, held: locked.held, updatedAt: locked.now },
              locked.written,
              {
                created: locked.created,
                changed: locked.changed,
              },
            );
          }
          this.scheduleExpiry(em, locked.created, locked.now);
          afterCommit(em, () => outcomes.forEach((outcome, i) => this.count(operations[i], outcome)));
        },
      },
    );
  }

  private async lock(
    em: EntityManager,
    walletId: string,
    operations: readonly WalletOperation[],
  ): Promise<LockedWallet> {
    const keys = operations.flatMap((op) =>
      !('kind' in op) && op.idempotencyKey ? [op.idempotencyKey] : [],
    );
    const stopTimer = this.lockWait.startTimer();
    const locked = await this.wallets.lockWithEntries(em, walletId, keys);
    stopTimer();
    // A statement of its own after the lock, so that it sees what the batch ahead committed.
    const ids = operations.flatMap((op) =>
      'kind' in op && op.kind === 'settle' ? [op.authorizationId] : [],
    );
    const authorizationKeys = operations.flatMap((op) =>
      'kind' in op && op.kind === 'authorize' && op.idempotencyKey ? [op.idempotencyKey] : [],
    );
    const authorizations =
      locked && ids.length + authorizationKeys.length > 0
        ? await this.wallets.findAuthorizations(em, walletId, ids, authorizationKeys)
        : [];
    return {
      wallet: locked?.wallet,
      known: locked?.entries ?? [],
      authorizations: new Map(authorizations.map((a) => [a.id, a])),
      written: [],
      created: [],
      changed: [],
      balance: locked?.wallet.balance ?? 0n,
      held: locked?.wallet.held ?? 0n,
      after: [],
      now: new Date(this.clock.now()),
    };
  }

  private decideOne(locked: LockedWallet, op: WalletOperation): BatchOutcome<WalletOperationResult> {
    const entries = locked.written.length;
    try {
      const ok = !('kind' in op)
        ? this.decideMovement(locked, op)
        : op.kind === 'authorize'
          ? this.decideAuthorize(locked, op)
          : this.decideSettle(locked, op);
      // The wallet after the operation (a capture's debit also releases its hold).
      for (let i = entries; i < locked.written.length; i++) {
        locked.after.push({
          ...(locked.wallet as Wallet),
          balance: locked.written[i].balanceAfter,
          held: locked.held,
          updatedAt: locked.now,
        });
      }
      return { ok };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { error };
    }
  }

  private decideMovement(locked: LockedWallet, movement: LedgerMovement): RecordedTransaction {
    const wallet = this.check(locked.wallet, movement);
    const earlier = [...locked.known, ...locked.written].find((e) =>
      sameLedgerKey(e.idempotencyKey, movement.idempotencyKey ?? null),
    );
    if (earlier) return this.replay(earlier, movement);
    const entry = this.entry(locked, wallet, {
      type: movement.type,
      amount: movement.amount,
      description: movement.description ?? null,
      reference: movement.reference ?? null,
      idempotencyKey: movement.idempotencyKey ?? null,
    });
    return { ...entry, replayed: false };
  }

  /** Writes a ledger entry into the batch, against the balance and held as the batch has them. */
  private entry(
    locked: LockedWallet,
    wallet: Wallet,
    e: Pick<WalletTransaction, 'type' | 'amount' | 'description' | 'reference' | 'idempotencyKey'>,
  ): WalletTransaction {
    const entry: WalletTransaction = {
      // Time-ordered, so that entries of one batch (one created_at) list in the order they were made.
      id: timeOrderedUuid(),
      walletId: wallet.id,
      ...move({ balance: locked.balance, held: locked.held }, e.type, e.amount),
      description: e.description,
      reference: e.reference,
      idempotencyKey: e.idempotencyKey,
      createdAt: locked.now,
    };
    locked.balance = entry.balanceAfter;
    locked.written.push(entry);
    return entry;
  }

  private decideAuthorize(locked: LockedWallet, command: AuthorizeCommand): AuthorizationResult {
    const wallet = this.check(locked.wallet, command);
    const key = command.idempotencyKey ?? null;
    const earlier = key
      ? [...locked.authorizations.values(), ...locked.created].find((a) =>
          sameLedgerKey(a.idempotencyKey, key),
        )
      : undefined;
    if (earlier) {
      if (earlier.amount !== command.amount) throw new LedgerKeyReusedError(key?.key ?? '');
      return { authorization: earlier, transaction: null, replayed: true };
    }
    const held = hold({ balance: locked.balance, held: locked.held }, command.amount);
    const authorization: Authorization = {
      id: timeOrderedUuid(),
      walletId: wallet.id,
      accountId: wallet.accountId,
      amount: command.amount,
      capturedAmount: 0n,
      currency: wallet.currency,
      status: 'pending',
      expiresAt: new Date(locked.now.getTime() + command.expiresInSeconds * 1000),
      description: command.description ?? null,
      idempotencyKey: key,
      createdAt: locked.now,
      updatedAt: locked.now,
    };
    locked.held = held;
    locked.created.push(authorization);
    return { authorization, transaction: null, replayed: false };
  }

  private decideSettle(locked: LockedWallet, command: SettleCommand): AuthorizationResult {
    const before = locked.authorizations.get(command.authorizationId);
    const wallet = locked.wallet;
    if (
      !before ||
      !wallet ||
      (command.expectedAccountId !== undefined && before.accountId !== command.expectedAccountId)
    ) {
      throw new NotFoundError('Authorization', command.authorizationId);
    }
    if (command.expectedCurrency !== undefined && before.currency !== command.expectedCurrency) {
      throw new CurrencyMismatchError(before.currency, command.expectedCurrency);
    }
    const settlement = settle(before, command.action, locked.now);
    let transaction: WalletTransaction | null = null;
    if (settlement.changed) {
      const after = settlement.authorization;
      const money = released(before, after);
      locked.held -= money.held;
      if (money.taken > 0n) {
        transaction = this.entry(locked, wallet, {
          type: 'debit',
          amount: money.taken,
          description: command.description ?? before.description ?? `Capture of authorization ${before.id}`,
          reference: { type: 'authorization', id: before.id },
          idempotencyKey: serviceKey(captureKey(before.id)),
        });
      }
      locked.authorizations.set(after.id, after);
      locked.changed.push(after);
    }
    if (settlement.refusal) throw settlement.refusal;
    return { authorization: settlement.authorization, transaction, replayed: !settlement.changed };
  }

  /** The delayed expiry of each new authorization at its `expires_at`, once the batch has committed. */
  private scheduleExpiry(em: EntityManager, created: Authorization[], now: Date): void {
    if (created.length === 0) return;
    const byDelay = new Map<number, string[]>();
    for (const a of created) {
      const delay = a.expiresAt.getTime() - now.getTime();
      byDelay.set(delay, [...(byDelay.get(delay) ?? []), a.id]);
    }
    afterCommit(em, () => Promise.all([...byDelay].map(([delay, ids]) => this.expiry.schedule(ids, delay))));
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

  /**
   * Captures (all of it, or `amount`) an authorization in `em`'s transaction, taking its wallet's
   * lock: for another module that pays with it. Throws NotFoundError (unknown, or not of
   * `expectedAccountId`), CurrencyMismatchError, AuthorizationNotPendingError,
   * AmountExceedsAuthorizationError.
   */
  async capture(
    em: EntityManager,
    command: Omit<SettleCommand, 'kind' | 'walletId' | 'action' | 'idempotent'> & { amount?: bigint },
  ): Promise<AuthorizationResult & { transaction: WalletTransaction }> {
    const found = await this.wallets.findAuthorizationById(command.authorizationId, em);
    if (!found) throw new NotFoundError('Authorization', command.authorizationId);
    const [outcome] = await this.record(
      em,
      found.walletId,
      fixedBatch<WalletOperation>([
        {
          ...command,
          kind: 'settle',
          walletId: found.walletId,
          action: { kind: 'capture', amount: command.amount },
        },
      ]),
    );
    if ('error' in outcome) throw outcome.error;
    return outcome.ok as AuthorizationResult & { transaction: WalletTransaction };
  }

  findAuthorization(id: string, em?: EntityManager): Promise<Authorization | null> {
    return this.wallets.findAuthorizationById(id, em);
  }

  private async recordOne(em: EntityManager, movement: LedgerMovement): Promise<RecordedTransaction> {
    const [outcome] = await this.record(em, movement.walletId, fixedBatch([movement]));
    if ('error' in outcome) throw outcome.error;
    return outcome.ok;
  }

  private check(
    wallet: Wallet | undefined,
    movement: Pick<
      LedgerMovement,
      'walletId' | 'expectedAccountId' | 'eligibleAccountId' | 'expectedCurrency'
    >,
  ): Wallet {
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

  private count(op: WalletOperation, outcome: BatchOutcome<WalletOperationResult>): void {
    const type = !('kind' in op) ? op.type : op.kind === 'authorize' ? 'authorize' : op.action.kind;
    if ('ok' in outcome) this.movements.inc({ type, outcome: outcome.ok.replayed ? 'replayed' : 'recorded' });
    else if (outcome.error instanceof DomainError && outcome.error.code === 'insufficient_funds') {
      this.movements.inc({ type, outcome: 'insufficient_funds' });
    }
  }
}
