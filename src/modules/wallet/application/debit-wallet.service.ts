import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { isAdmin, type Principal } from '../../../shared/http/auth';
import { WalletBusyError } from '../domain/wallet.errors';
import { RedisWalletLock } from '../infrastructure/redis-wallet-lock';
import { type RecordedTransaction, WalletLedgerService } from './wallet-ledger.service';

export interface DebitWalletCommand {
  walletId: string;
  amount: bigint;
  description?: string;
  idempotencyKey: string;
  caller: Principal;
}

@Injectable()
export class DebitWalletService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: WalletLedgerService,
    private readonly lock: RedisWalletLock,
    private readonly config: AppConfig,
  ) {}

  /** The owner or the admin takes money out; another account's wallet is NotFoundError. */
  execute(command: DebitWalletCommand): Promise<RecordedTransaction> {
    return this.lock.withLock(command.walletId, () =>
      this.uow.run(
        (em) =>
          this.ledger.debit(em, {
            walletId: command.walletId,
            amount: command.amount,
            description: command.description,
            idempotencyKey: command.idempotencyKey,
            expectedAccountId: isAdmin(command.caller) ? undefined : command.caller.accountId,
          }),
        { lockTimeoutMs: this.config.LOCK_TIMEOUT_MS, onLockTimeout: () => new WalletBusyError() },
      ),
    );
  }
}
