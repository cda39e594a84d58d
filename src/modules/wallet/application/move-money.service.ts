import { Inject, Injectable } from '@nestjs/common';
import type { HotRowBatcher } from '../../../shared/database/hot-row-batcher';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import type { TransactionType } from '../domain/wallet';
import { WALLET_LOCK } from '../wallet.tokens';
import { type LedgerMovement, type RecordedTransaction, WalletLedgerFacade } from './wallet-ledger.facade';
import { walletBatcher } from './wallet-batcher';
import type { WalletLock } from './wallet-lock';

export interface MoveMoneyCommand {
  type: TransactionType;
  walletId: string;
  amount: bigint;
  description?: string;
  idempotencyKey: string;
  caller: Caller;
}

/**
 * A client's credit (admin) or debit (owner or admin). Movements of one wallet that arrive while a
 * transaction on it is in flight join the next one (group commit): one lock, one write, one commit
 * for all, each request decided in arrival order exactly as if it ran alone.
 */
@Injectable()
export class MoveMoneyService {
  private readonly batcher: HotRowBatcher<LedgerMovement, RecordedTransaction>;

  constructor(uow: UnitOfWork, ledger: WalletLedgerFacade, @Inject(WALLET_LOCK) lock: WalletLock) {
    this.batcher = walletBatcher(
      uow,
      (em, walletId, batch) => ledger.record(em, walletId, batch),
      (walletId, transaction) => lock.withLock(walletId, transaction),
    );
  }

  /** Another account's wallet is NotFoundError, for a debit by a customer. */
  execute(
    command: MoveMoneyCommand,
    idempotent: IdempotentRequest<RecordedTransaction> | undefined,
  ): Promise<RecordedTransaction> {
    const { caller } = command;
    return this.batcher.submit(command.walletId, {
      type: command.type,
      walletId: command.walletId,
      amount: command.amount,
      description: command.description,
      idempotencyKey: { scope: caller.accountId, key: command.idempotencyKey },
      expectedAccountId: isAdmin(caller) ? undefined : caller.accountId,
      idempotent,
    });
  }
}
