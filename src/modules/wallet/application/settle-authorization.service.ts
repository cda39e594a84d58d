import { Injectable } from '@nestjs/common';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import type { AuthorizationAction } from '../domain/authorization';
import { type AuthorizationResult, WalletLedgerFacade } from './wallet-ledger.facade';
import { WalletOperations } from './wallet-operations';

/**
 * Captures (takes all or part of the money, releases the rest) or voids (releases it) an
 * authorization (owner or admin), in its wallet's group commit: whichever of capture, void and
 * expiry takes the wallet's lock first changes the authorization, the others find it not pending.
 */
@Injectable()
export class SettleAuthorizationService {
  constructor(
    private readonly operations: WalletOperations,
    private readonly ledger: WalletLedgerFacade,
  ) {}

  /**
   * Throws NotFoundError (unknown, or another account's for a customer), AuthorizationNotPendingError,
   * AmountExceedsAuthorizationError.
   */
  async execute(
    caller: Caller,
    authorizationId: string,
    action: Exclude<AuthorizationAction, { kind: 'expire' }>,
    idempotent: IdempotentRequest<AuthorizationResult> | undefined,
  ): Promise<AuthorizationResult> {
    // Its wallet never changes: a read before the wallet's transaction names the batch to join.
    const found = await this.ledger.findAuthorization(authorizationId);
    const expectedAccountId = isAdmin(caller) ? undefined : caller.accountId;
    if (!found || (expectedAccountId !== undefined && found.accountId !== expectedAccountId)) {
      throw new NotFoundError('Authorization', authorizationId);
    }
    return this.operations.authorization({
      kind: 'settle',
      walletId: found.walletId,
      authorizationId,
      action,
      expectedAccountId,
      idempotent,
    });
  }
}
