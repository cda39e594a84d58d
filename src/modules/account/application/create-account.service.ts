import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { ACCOUNT_REPOSITORY } from '../account.tokens';
import type { Account } from '../domain/account';
import type { AccountRepository } from '../domain/account.repository';
import { generateApiKey, hashApiKey } from '../domain/api-key';

export interface CreatedAccount {
  account: Account;
  /** Shown once: only its hash is stored. */
  apiKey: string;
}

@Injectable()
export class CreateAccountService {
  constructor(@Inject(ACCOUNT_REPOSITORY) private readonly accounts: AccountRepository) {}

  async execute(name: string): Promise<CreatedAccount> {
    const apiKey = generateApiKey();
    const account: Account = { id: randomUUID(), name, role: 'customer', createdAt: new Date() };
    await this.accounts.create(account, hashApiKey(apiKey));
    return { account, apiKey };
  }
}
