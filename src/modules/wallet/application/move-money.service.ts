import { Inject, Injectable } from '@nestjs/common';
import { type Batch, HotRowBatcher } from '../../../shared/database/hot-row-batcher';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import { byIdempotencyKey } from '../../../shared/idempotency/batch-idempotency';
import { currentIdempotentCall } from '../../../shared/idempotency/idempotent-call';
import type { TransactionType } from '../domain/wallet';
import { WalletBusyError } from '../domain/wallet.errors';
import { WALLET_LOCK } from '../wallet.tokens';
import { type LedgerMovement, type RecordedTransaction, WalletLedgerService } from './wallet-ledger.service';
import type { WalletLock } from './wallet-lock';

export interface MoveMoneyCommand {
  type: TransactionType;
  walletId: string;
  amount: bigint;
  description?: string;
  idempotencyKey: string;
  caller: Caller;
}

/** The most movements one transaction decides: enough to amortise a commit, small enough to stay short. */
const MAX_BATCH = 64;

/**
 * A client's credit (admin) or debit (owner or admin). Movements of one wallet that arrive while a
 * transaction on it is in flight join the next one (group commit): one lock, one write, one commit
 * for all, each request decided in arrival order exactly as if it ran alone.
 */
@Injectable()
export class MoveMoneyService {
  private readonly batcher: HotRowBatcher<LedgerMovement, RecordedTransaction>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: WalletLedgerService,
    @Inject(WALLET_LOCK) private readonly lock: WalletLock,
  ) {
    this.batcher = new HotRowBatcher<LedgerMovement, RecordedTransaction>(
      (walletId, batch) => this.decide(walletId, batch),
      {
        maxBatch: MAX_BATCH,
        conflictKey: byIdempotencyKey,
      },
    );
  }

  /** Another account's wallet is NotFoundError, for a debit by a customer. */
  execute(command: MoveMoneyCommand): Promise<RecordedTransaction> {
    const { caller } = command;
    return this.batcher.submit(command.walletId, {
      type: command.type,
      walletId: command.walletId,
      amount: command.amount,
      description: command.description,
      idempotencyKey: { scope: caller.accountId, key: command.idempotencyKey },
      expectedAccountId: isAdmin(caller) ? undefined : caller.accountId,
      call: currentIdempotentCall(),
    });
  }

  private decide(walletId: string, batch: Batch<LedgerMovement>) {
    return this.lock.withLock(walletId, () =>
      this.uow.run((em) => this.ledger.record(em, walletId, batch), {
        idempotent: false,
        onLockTimeout: () => new WalletBusyError(),
      }),
    );
  }
}
