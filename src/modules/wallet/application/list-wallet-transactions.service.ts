import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../../shared/domain/caller';
import type { Cursor } from '../../../shared/domain/cursor';
import type { WalletTransaction } from '../domain/wallet';
import type { WalletRepository } from '../domain/wallet.repository';
import { WALLET_REPOSITORY } from '../wallet.tokens';
import { GetWalletService } from './get-wallet.service';

@Injectable()
export class ListWalletTransactionsService {
  constructor(
    private readonly getWallet: GetWalletService,
    @Inject(WALLET_REPOSITORY) private readonly wallets: WalletRepository<EntityManager>,
  ) {}

  /** Up to `limit` entries newest first, after `cursor`; the owner or the admin only. */
  async execute(
    walletId: string,
    viewer: Caller,
    limit: number,
    cursor?: Cursor,
  ): Promise<WalletTransaction[]> {
    await this.getWallet.execute(walletId, viewer);
    return this.wallets.listTransactions(walletId, limit, cursor);
  }
}
