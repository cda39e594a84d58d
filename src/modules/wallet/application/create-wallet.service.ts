import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import type { Wallet } from '../domain/wallet';
import type { WalletRepository } from '../domain/wallet.repository';
import { WALLET_REPOSITORY } from '../wallet.tokens';

@Injectable()
export class CreateWalletService {
  constructor(@Inject(WALLET_REPOSITORY) private readonly wallets: WalletRepository<EntityManager>) {}

  /** Throws WalletExistsError, or NotFoundError when the account does not exist. */
  execute(accountId: string, currency: string): Promise<Wallet> {
    return this.wallets.create({ id: randomUUID(), accountId, currency });
  }
}
