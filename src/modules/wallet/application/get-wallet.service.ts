import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import type { Cursor } from '../../../shared/domain/cursor';
import type { Wallet } from '../domain/wallet';
import type { WalletRepository } from '../domain/wallet.repository';
import { WALLET_REPOSITORY } from '../wallet.tokens';

@Injectable()
export class GetWalletService {
  constructor(@Inject(WALLET_REPOSITORY) private readonly wallets: WalletRepository<EntityManager>) {}

  /** The owner or the admin sees the wallet; anyone else gets NotFoundError, as for an unknown id. */
  async execute(walletId: string, viewer: Caller): Promise<Wallet> {
    const wallet = await this.wallets.findById(walletId);
    if (!wallet || (!isAdmin(viewer) && wallet.accountId !== viewer.accountId)) {
      throw new NotFoundError('Wallet', walletId);
    }
    return wallet;
  }

  /** Up to `limit` wallets of the account, newest first, after `cursor`. */
  list(accountId: string, limit: number, cursor?: Cursor): Promise<Wallet[]> {
    return this.wallets.listByAccount(accountId, limit, cursor);
  }
}
