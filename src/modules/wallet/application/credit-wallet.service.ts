import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { WalletBusyError } from '../domain/wallet.errors';
import { RedisWalletLock } from '../infrastructure/redis-wallet-lock';
import { type RecordedTransaction, WalletLedgerService } from './wallet-ledger.service';

export interface CreditWalletCommand {
  walletId: string;
  amount: bigint;
  description?: string;
  idempotencyKey: string;
}

@Injectable()
export class CreditWalletService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: WalletLedgerService,
    private readonly lock: RedisWalletLock,
    private readonly config: AppConfig,
  ) {}

  /** A top-up by the admin (the route is admin-only). */
  execute(command: CreditWalletCommand): Promise<RecordedTransaction> {
    return this.lock.withLock(command.walletId, () =>
      this.uow.run(
        (em) =>
          this.ledger.credit(em, {
            walletId: command.walletId,
            amount: command.amount,
            description: command.description,
            idempotencyKey: command.idempotencyKey,
          }),
        { lockTimeoutMs: this.config.LOCK_TIMEOUT_MS, onLockTimeout: () => new WalletBusyError() },
      ),
    );
  }
}
