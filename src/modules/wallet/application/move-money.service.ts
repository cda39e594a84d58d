import { Injectable } from '@nestjs/common';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import type { TransactionType } from '../domain/wallet';
import type { RecordedTransaction } from './wallet-ledger.facade';
import { WalletOperations } from './wallet-operations';

export interface MoveMoneyCommand {
  type: TransactionType;
  walletId: string;
  amount: bigint;
  description?: string;
  idempotencyKey: string;
  caller: Caller;
}

/**
 * A client's credit (admin) or debit (owner or admin), in the wallet's group commit (see
 * WalletOperations). A debit draws on the available balance (what authorizations do not hold).
 */
@Injectable()
export class MoveMoneyService {
  constructor(private readonly operations: WalletOperations) {}

  /** Another account's wallet is NotFoundError, for a debit by a customer. */
  execute(
    command: MoveMoneyCommand,
    idempotent: IdempotentRequest<RecordedTransaction> | undefined,
  ): Promise<RecordedTransaction> {
    const { caller } = command;
    return this.operations.move({
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
