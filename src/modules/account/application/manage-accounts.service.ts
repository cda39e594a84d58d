import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Cursor } from '../../../shared/domain/cursor';
import { ACCOUNT_REPOSITORY } from '../account.tokens';
import type { Account } from '../domain/account';
import type { AccountRepository } from '../domain/account.repository';
import { generateApiKey, hashApiKey } from '../domain/api-key';

@Injectable()
export class ManageAccountsService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(ACCOUNT_REPOSITORY) private readonly accounts: AccountRepository<EntityManager>,
  ) {}

  /** Newest first; `limit + 1` rows come back so that the caller can build the page. */
  list(limit: number, cursor?: Cursor): Promise<Account[]> {
    return this.accounts.listPage(limit, cursor);
  }

  /**
   * A lost key is replaced, never recovered: the account gets a new key, and since an account holds
   * one key hash, every older key stops matching at once in the database (and within the
   * authentication cache's lifetime in every process). The new key is shown once.
   */
  rotateApiKey(accountId: string, idempotent: IdempotentRequest<string> | undefined): Promise<string> {
    const apiKey = generateApiKey();
    return this.uow.run(
      async (em) => {
        if (!(await this.accounts.replaceApiKeyHash(em, accountId, hashApiKey(apiKey)))) {
          throw new NotFoundError('Customer account', accountId);
        }
        return apiKey;
      },
      { idempotent },
    );
  }
}
