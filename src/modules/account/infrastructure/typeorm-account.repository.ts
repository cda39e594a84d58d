import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Account } from '../domain/account';
import type { AccountRepository } from '../domain/account.repository';
import { AccountOrmEntity } from './account.orm-entity';

const toAccount = (row: AccountOrmEntity): Account => ({
  id: row.id,
  name: row.name,
  role: row.role,
  createdAt: row.createdAt,
});

@Injectable()
export class TypeOrmAccountRepository implements AccountRepository {
  constructor(@InjectRepository(AccountOrmEntity) private readonly rows: Repository<AccountOrmEntity>) {}

  async create(tx: EntityManager, account: Account, apiKeyHash: string): Promise<void> {
    await tx.insert(AccountOrmEntity, { ...account, apiKeyHash });
  }

  async findByApiKeyHash(hash: string): Promise<Account | null> {
    const row = await this.rows.findOne({ where: { apiKeyHash: hash } });
    return row ? toAccount(row) : null;
  }

  async findById(id: string): Promise<Account | null> {
    const row = await this.rows.findOne({ where: { id } });
    return row ? toAccount(row) : null;
  }
}
