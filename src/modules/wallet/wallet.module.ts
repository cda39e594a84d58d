import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WalletsController } from './api/wallets.controller';
import { CreateWalletService } from './application/create-wallet.service';
import { GetWalletService } from './application/get-wallet.service';
import { ListWalletTransactionsService } from './application/list-wallet-transactions.service';
import { MoveMoneyService } from './application/move-money.service';
import { WalletLedgerService } from './application/wallet-ledger.service';
import { RedisWalletLock } from './infrastructure/redis-wallet-lock';
import { TypeOrmWalletRepository } from './infrastructure/typeorm-wallet.repository';
import { WalletTransactionOrmEntity } from './infrastructure/wallet-transaction.orm-entity';
import { WalletOrmEntity } from './infrastructure/wallet.orm-entity';
import { WALLET_REPOSITORY } from './wallet.tokens';

@Module({
  imports: [TypeOrmModule.forFeature([WalletOrmEntity, WalletTransactionOrmEntity])],
  controllers: [WalletsController],
  providers: [
    CreateWalletService,
    GetWalletService,
    MoveMoneyService,
    ListWalletTransactionsService,
    WalletLedgerService,
    RedisWalletLock,
    { provide: WALLET_REPOSITORY, useClass: TypeOrmWalletRepository },
  ],
  // Other modules move money only through the ledger, inside their own unit of work.
  exports: [WalletLedgerService],
})
export class WalletModule {}
