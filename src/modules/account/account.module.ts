import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { API_KEY_AUTHENTICATOR } from '../../shared/http/auth';
import { ACCOUNT_REPOSITORY } from './account.tokens';
import { AccountsController } from './api/accounts.controller';
import { AuthenticateApiKeyService } from './application/authenticate-api-key.service';
import { CreateAccountService } from './application/create-account.service';
import { ManageAccountsService } from './application/manage-accounts.service';
import { AccountOrmEntity } from './infrastructure/account.orm-entity';
import { TypeOrmAccountRepository } from './infrastructure/typeorm-account.repository';

@Module({
  imports: [TypeOrmModule.forFeature([AccountOrmEntity])],
  controllers: [AccountsController],
  providers: [
    CreateAccountService,
    ManageAccountsService,
    AuthenticateApiKeyService,
    { provide: ACCOUNT_REPOSITORY, useClass: TypeOrmAccountRepository },
    { provide: API_KEY_AUTHENTICATOR, useExisting: AuthenticateApiKeyService },
  ],
  exports: [API_KEY_AUTHENTICATOR],
})
export class AccountModule {}
