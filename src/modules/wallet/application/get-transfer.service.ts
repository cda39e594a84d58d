import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import type { Transfer } from '../domain/transfer';
import type { TransferRepository } from '../domain/transfer.repository';
import type { WalletRepository } from '../domain/wallet.repository';
import { TRANSFER_REPOSITORY, WALLET_REPOSITORY } from '../wallet.tokens';

@Injectable()
export class GetTransferService {
  constructor(
    @Inject(TRANSFER_REPOSITORY) private readonly transfers: TransferRepository<EntityManager>,
    @Inject(WALLET_REPOSITORY) private readonly wallets: WalletRepository<EntityManager>,
  ) {}

  /** The owner of either wallet or the admin sees the transfer; anyone else gets NotFoundError. */
  async execute(id: string, viewer: Caller): Promise<Transfer> {
    const transfer = await this.transfers.findById(id);
    if (!transfer) throw new NotFoundError('Transfer', id);
    if (isAdmin(viewer)) return transfer;
    for (const walletId of [transfer.fromWalletId, transfer.toWalletId]) {
      const wallet = await this.wallets.findById(walletId);
      if (wallet?.accountId === viewer.accountId) return transfer;
    }
    throw new NotFoundError('Transfer', id);
  }
}
