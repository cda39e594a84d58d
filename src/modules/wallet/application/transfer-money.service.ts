import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as timeOrderedUuid } from 'uuid';
import { type BatchOutcome, fixedBatch, type HotRowBatcher } from '../../../shared/database/hot-row-batcher';
import { decideBatch } from '../../../shared/database/batch-pipeline';
import {
  IDEMPOTENCY_KEYS,
  type IdempotencyKeys,
  type IdempotentRequest,
} from '../../../shared/database/idempotent-request';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { EventRecorder } from '../../event/application/event-recorder';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import { type Transfer, transferDescription, transferLedgerKeys } from '../domain/transfer';
import type { TransferRepository } from '../domain/transfer.repository';
import type { LedgerKey, Wallet, WalletTransaction } from '../domain/wallet';
import { CurrencyMismatchError } from '../domain/wallet.errors';
import { TRANSFER_REPOSITORY } from '../wallet.tokens';
import { walletBatcher } from './wallet-batcher';
import { type LedgerMovement, WalletLedgerFacade } from './wallet-ledger.facade';

export interface TransferCommand {
  fromWalletId: string;
  toWalletId: string;
  amount: bigint;
  description?: string;
  idempotencyKey: string;
  caller: Caller;
}

interface TransferRequest {
  toWalletId: string;
  amount: bigint;
  description: string | null;
  keys: { debit: LedgerKey; credit: LedgerKey };
  /** The source wallet must belong to this account (a customer's transfer), else NotFoundError. */
  expectedAccountId?: string;
  idempotent?: IdempotentRequest<Transfer>;
}

/** A transfer decided so far: its debit is written, its credit is to come. */
interface Debited {
  index: number;
  transfer: Omit<Transfer, 'creditTransactionId'>;
  request: TransferRequest;
  credit?: WalletTransaction;
}

/**
 * A debit of one wallet and a credit of another in one transaction, both ledger entries
 * referencing the transfer. Transfers out of one wallet that arrive while a transaction on it is in
 * flight join the next one (the write path's group commit, on the source wallet): every wallet the
 * batch touches is locked at once in the one global order (by id), so that opposite transfers
 * between two wallets never deadlock; debits are decided in arrival order as if each ran alone,
 * then the credits, one write per wallet, one commit.
 *
 * Round trips of a batch: START, SET LOCAL, the claim of the Idempotency-Keys, the ordered lock of
 * every wallet, per wallet the keyed read and one write, the transfers with the answers, COMMIT.
 */
@Injectable()
export class TransferMoneyService {
  private readonly batcher: HotRowBatcher<TransferRequest, Transfer>;

  constructor(
    uow: UnitOfWork,
    private readonly ledger: WalletLedgerFacade,
    @Inject(IDEMPOTENCY_KEYS) private readonly keys: IdempotencyKeys,
    @Inject(TRANSFER_REPOSITORY) private readonly transfers: TransferRepository<EntityManager>,
    private readonly events: EventRecorder,
  ) {
    this.batcher = walletBatcher(uow, (em, fromWalletId, batch) =>
      decideBatch(em, this.keys, batch, {
        // Every wallet the batch touches, at once, in the one global order (by id).
        lock: async (em, requests) =>
          new Map<string, Wallet>(
            (await this.ledger.lockWallets(em, [fromWalletId, ...requests.map((r) => r.toWalletId)])).map(
              (w) => [w.id, w],
            ),
          ),
        decide: (em, wallets, requests) => this.decide(em, fromWalletId, wallets, requests),
        write: (em, wallets, _requests, outcomes) => {
          const made = outcomes.flatMap((o) => ('ok' in o ? [o.ok] : []));
          // One event per side's account (one, when both wallets are the same account's).
          this.events.record(
            em,
            made.flatMap((transfer) =>
              [
                ...new Set(
                  [transfer.fromWalletId, transfer.toWalletId].map((id) => wallets.get(id)?.accountId),
                ),
              ].map((accountId) => ({
                type: 'transfer.created' as const,
                accountId: accountId as string,
                resourceId: transfer.id,
                resource: transfer,
              })),
            ),
          );
          return this.transfers.insert(em, made);
        },
      }),
    );
  }

  /**
   * Throws NotFoundError (an unknown source, one of another account for a customer, an unknown
   * destination), CurrencyMismatchError, InsufficientFundsError, BalanceLimitExceededError.
   */
  execute(command: TransferCommand, idempotent: IdempotentRequest<Transfer> | undefined): Promise<Transfer> {
    const { caller } = command;
    return this.batcher.submit(command.fromWalletId, {
      toWalletId: command.toWalletId,
      amount: command.amount,
      description: command.description ?? null,
      keys: transferLedgerKeys(caller.accountId, command.idempotencyKey),
      expectedAccountId: isAdmin(caller) ? undefined : caller.accountId,
      idempotent,
    });
  }

  /** The debits in arrival order (one ledger write), then the credits (one write per destination). */
  private async decide(
    em: EntityManager,
    fromWalletId: string,
    wallets: Map<string, Wallet>,
    requests: readonly TransferRequest[],
  ): Promise<Array<BatchOutcome<Transfer>>> {
    const source = wallets.get(fromWalletId);
    const outcomes: Array<BatchOutcome<Transfer>> = requests.map(() => ({ error: undefined }));
    const drafts: Array<Omit<Debited, 'transfer'> & { id: string; currency: string }> = [];
    requests.forEach((request, index) => {
      const destination = wallets.get(request.toWalletId);
      if (
        !source ||
        (request.expectedAccountId !== undefined && source.accountId !== request.expectedAccountId)
      ) {
        return void (outcomes[index] = { error: new NotFoundError('Wallet', fromWalletId) });
      }
      if (!destination)
        return void (outcomes[index] = { error: new NotFoundError('Wallet', request.toWalletId) });
      if (destination.currency !== source.currency) {
        return void (outcomes[index] = {
          error: new CurrencyMismatchError(destination.currency, source.currency),
        });
      }
      drafts.push({ index, request, id: timeOrderedUuid(), currency: source.currency });
    });

    const debited: Debited[] = [];
    if (drafts.length > 0) {
      const debits = await this.ledger.record(
        em,
        fromWalletId,
        fixedBatch(
          drafts.map((d): LedgerMovement => ({
            type: 'debit',
            walletId: fromWalletId,
            amount: d.request.amount,
            reference: { type: 'transfer', id: d.id },
            description:
              d.request.description ??
              transferDescription({ fromWalletId, toWalletId: d.request.toWalletId }, 'debit'),
            // A key recorded before names another transfer id, so it is refused as reused, never replayed.
            idempotencyKey: d.request.keys.debit,
          })),
        ),
      );
      debits.forEach((outcome, k) => {
        const draft = drafts[k];
        if ('error' in outcome) return void (outcomes[draft.index] = outcome);
        debited.push({
          index: draft.index,
          request: draft.request,
          transfer: {
            id: draft.id,
            fromWalletId,
            toWalletId: draft.request.toWalletId,
            amount: draft.request.amount,
            currency: draft.currency,
            description: draft.request.description,
            debitTransactionId: outcome.ok.id,
            createdAt: outcome.ok.createdAt,
          },
        });
      });
    }

    const destinations = [...new Set(debited.map((d) => d.transfer.toWalletId))].sort();
    for (const toWalletId of destinations) {
      const items = debited.filter((d) => d.transfer.toWalletId === toWalletId);
      const credits = await this.ledger.record(
        em,
        toWalletId,
        fixedBatch(
          items.map((d): LedgerMovement => ({
            type: 'credit',
            walletId: toWalletId,
            amount: d.transfer.amount,
            reference: { type: 'transfer', id: d.transfer.id },
            description: d.request.description ?? transferDescription(d.transfer, 'credit'),
            idempotencyKey: d.request.keys.credit,
          })),
        ),
      );
      credits.forEach((outcome, k) => {
        // Its debit is written already: the whole batch rolls back, and the batcher decides each
        // request alone, so that only this one is refused.
        if ('error' in outcome) throw outcome.error;
        items[k].credit = outcome.ok;
      });
    }

    for (const d of debited) {
      outcomes[d.index] = { ok: { ...d.transfer, creditTransactionId: (d.credit as WalletTransaction).id } };
    }
    return outcomes;
  }
}
