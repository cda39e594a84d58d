import { Inject, Injectable } from '@nestjs/common';
import type { HotRowBatcher } from '../../../shared/database/hot-row-batcher';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { WALLET_LOCK } from '../wallet.tokens';
import { walletBatcher } from './wallet-batcher';
import {
  type AuthorizationResult,
  type AuthorizeCommand,
  type LedgerMovement,
  type RecordedTransaction,
  type SettleCommand,
  WalletLedgerFacade,
  type WalletOperation,
  type WalletOperationResult,
} from './wallet-ledger.facade';
import type { WalletLock } from './wallet-lock';

type Keyed<C, R> = Omit<C, 'idempotent'> & { idempotent?: IdempotentRequest<R> };

/**
 * The group commit of a wallet: debits, credits, authorizations, captures and voids of one wallet
 * that arrive while a transaction on it is in flight join the next one; one lock, one write, one
 * commit for all, each request decided in arrival order exactly as if it ran alone.
 */
@Injectable()
export class WalletOperations {
  private readonly batcher: HotRowBatcher<WalletOperation, WalletOperationResult>;

  constructor(uow: UnitOfWork, ledger: WalletLedgerFacade, @Inject(WALLET_LOCK) lock: WalletLock) {
    this.batcher = walletBatcher(
      uow,
      (em, walletId, batch) => ledger.record(em, walletId, batch),
      (walletId, transaction) => lock.withLock(walletId, transaction),
    );
  }

  move(movement: Keyed<LedgerMovement, RecordedTransaction>): Promise<RecordedTransaction> {
    return this.submit(movement) as Promise<RecordedTransaction>;
  }

  authorization(
    command: Keyed<AuthorizeCommand, AuthorizationResult> | Keyed<SettleCommand, AuthorizationResult>,
  ): Promise<AuthorizationResult> {
    return this.submit(command) as Promise<AuthorizationResult>;
  }

  // A request's outcome is always its own kind's result, the one its `idempotent` presents.
  private submit(operation: Keyed<WalletOperation, never>): Promise<WalletOperationResult> {
    return this.batcher.submit(operation.walletId, operation as WalletOperation);
  }
}
