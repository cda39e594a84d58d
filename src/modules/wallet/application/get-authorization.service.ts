import { Injectable } from '@nestjs/common';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Authorization } from '../domain/authorization';
import { WalletLedgerFacade } from './wallet-ledger.facade';

@Injectable()
export class GetAuthorizationService {
  constructor(private readonly ledger: WalletLedgerFacade) {}

  /**
   * The owner or the admin sees the authorization as stored (a pending one past `expires_at` is
   * pending until its expiry runs, as its wallet's `held` shows); anyone else gets NotFoundError.
   */
  async execute(caller: Caller, id: string): Promise<Authorization> {
    const found = await this.ledger.findAuthorization(id);
    if (!found || (!isAdmin(caller) && found.accountId !== caller.accountId)) {
      throw new NotFoundError('Authorization', id);
    }
    return found;
  }
}
