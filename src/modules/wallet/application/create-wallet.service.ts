import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Wallet } from '../domain/wallet';
import type { WalletRepository } from '../domain/wallet.repository';
import { WALLET_REPOSITORY } from '../wallet.tokens';

@Injectable()
export class CreateWalletService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(WALLET_REPOSITORY) private readonly wallets: WalletRepository<EntityManager>,
  ) {}

  /** Throws WalletExistsError, or NotFoundError when the account does not exist. */
  execute(
    accountId: string,
    currency: string,
    idempotent: IdempotentRequest<Wallet> | undefined,
  ): Promise<Wallet> {
    return this.uow.run((em) => this.wallets.create(em, { id: randomUUID(), accountId, currency }), {
      idempotent,
    });
  }
}
