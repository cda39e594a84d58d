import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { randomUUID } from 'crypto';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { ACCOUNT_REPOSITORY } from '../account.tokens';
import type { Account } from '../domain/account';
import type { AccountRepository } from '../domain/account.repository';
import { generateApiKey, hashApiKey } from '../domain/api-key';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

export interface CreatedAccount {
  account: Account;
  /** Shown once: only its hash is stored. */
  apiKey: string;
}

@Injectable()
export class CreateAccountService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(ACCOUNT_REPOSITORY) private readonly accounts: AccountRepository<EntityManager>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(name: string, idempotent: IdempotentRequest<CreatedAccount> | undefined): Promise<CreatedAccount> {
    const apiKey = generateApiKey();
    const account: Account = {
      id: randomUUID(),
      name,
      role: 'customer',
      createdAt: new Date(this.clock.now()),
    };
    return this.uow.run(
      async (em) => {
        await this.accounts.create(em, account, hashApiKey(apiKey));
        return { account, apiKey };
      },
      { idempotent },
    );
  }
}
