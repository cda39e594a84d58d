import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransfersController } from './api/transfers.controller';
import { WalletsController } from './api/wallets.controller';
import { AuthorizationsController } from './api/authorizations.controller';
import { AuthorizationEventsPresenter } from './api/authorization-events.presenter';
import { WalletEventsPresenter } from './api/wallet-events.presenter';
import { EventModule } from '../event/event.module';
import { AuthorizeWalletService } from './application/authorize-wallet.service';
import { ExpireAuthorizationsService } from './application/expire-authorizations.service';
import { GetAuthorizationService } from './application/get-authorization.service';
import { SettleAuthorizationService } from './application/settle-authorization.service';
import { WalletOperations } from './application/wallet-operations';
import { deadlineProviders } from '../../shared/queue/bull-deadline';
import { queueWithDashboard } from '../../shared/queue/queue-dashboard.module';
import { CreateWalletService } from './application/create-wallet.service';
import { GetTransferService } from './application/get-transfer.service';
import { GetWalletService } from './application/get-wallet.service';
import { ListWalletTransactionsService } from './application/list-wallet-transactions.service';
import { MoveMoneyService } from './application/move-money.service';
import { TransferMoneyService } from './application/transfer-money.service';
import { WalletLedgerFacade } from './application/wallet-ledger.facade';
import { RedisWalletLock } from './infrastructure/redis-wallet-lock';
import { TypeOrmTransferRepository } from './infrastructure/typeorm-transfer.repository';
import { TypeOrmWalletRepository } from './infrastructure/typeorm-wallet.repository';
import { WalletTransactionOrmEntity } from './infrastructure/wallet-transaction.orm-entity';
import { WalletOrmEntity } from './infrastructure/wallet.orm-entity';
import {
  AUTHORIZATION_EXPIRY,
  AUTHORIZATION_EXPIRY_QUEUE,
  AUTHORIZATION_EXPIRY_SCHEDULER,
  TRANSFER_REPOSITORY,
  WALLET_LOCK,
  WALLET_REPOSITORY,
} from './wallet.tokens';

@Module({
  imports: [
    TypeOrmModule.forFeature([WalletOrmEntity, WalletTransactionOrmEntity]),
    ...queueWithDashboard(AUTHORIZATION_EXPIRY_QUEUE),
    EventModule,
  ],
  controllers: [WalletsController, TransfersController, AuthorizationsController],
  providers: [
    CreateWalletService,
    GetWalletService,
    MoveMoneyService,
    ListWalletTransactionsService,
    TransferMoneyService,
    GetTransferService,
    WalletLedgerFacade,
    WalletOperations,
    AuthorizeWalletService,
    SettleAuthorizationService,
    GetAuthorizationService,
    ExpireAuthorizationsService,
    AuthorizationEventsPresenter,
    WalletEventsPresenter,
    ...deadlineProviders(AUTHORIZATION_EXPIRY, AUTHORIZATION_EXPIRY_SCHEDULER, ExpireAuthorizationsService),
    { provide: WALLET_LOCK, useClass: RedisWalletLock },
    { provide: WALLET_REPOSITORY, useClass: TypeOrmWalletRepository },
    { provide: TRANSFER_REPOSITORY, useClass: TypeOrmTransferRepository },
  ],
  // Other modules move money only through the ledger, inside their own unit of work.
  exports: [WalletLedgerFacade],
})
export class WalletModule {}
