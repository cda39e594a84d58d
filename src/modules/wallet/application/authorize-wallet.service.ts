import { Injectable } from '@nestjs/common';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { AUTHORIZATION_TTL_SECONDS } from '../domain/authorization';
import type { AuthorizationResult } from './wallet-ledger.facade';
import { WalletOperations } from './wallet-operations';

export interface AuthorizeWalletCommand {
  walletId: string;
  amount: bigint;
  expiresInSeconds?: number;
  description?: string;
  idempotencyKey: string;
  caller: Caller;
}

/**
 * Holds money of a wallet for a later capture (owner or admin), in the wallet's group commit: the
 * available balance must cover it. Its expiry is scheduled once the batch has committed.
 */
@Injectable()
export class AuthorizeWalletService {
  constructor(private readonly operations: WalletOperations) {}

  /** Throws NotFoundError (unknown wallet, or another account's for a customer), InsufficientFundsError. */
  execute(
    command: AuthorizeWalletCommand,
    idempotent: IdempotentRequest<AuthorizationResult> | undefined,
  ): Promise<AuthorizationResult> {
    const { caller } = command;
    return this.operations.authorization({
      kind: 'authorize',
      walletId: command.walletId,
      amount: command.amount,
      expiresInSeconds: command.expiresInSeconds ?? AUTHORIZATION_TTL_SECONDS.default,
      description: command.description ?? null,
      idempotencyKey: { scope: caller.accountId, key: command.idempotencyKey },
      expectedAccountId: isAdmin(caller) ? undefined : caller.accountId,
      idempotent,
    });
  }
}
