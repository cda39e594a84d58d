import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { newestFirst } from '../../../shared/database/newest-first';
import type { Cursor } from '../../../shared/domain/cursor';
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
export class TypeOrmAccountRepository implements AccountRepository<EntityManager> {
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

  async listPage(limit: number, after?: Cursor): Promise<Account[]> {
    // Cursors carry milliseconds; compare and order at that precision so that no row is skipped or repeated.
    const qb = newestFirst(
      this.rows.createQueryBuilder('a'),
      limit + 1,
      after,
      "date_trunc('milliseconds', a.created_at)",
    );
    return (await qb.getMany()).map(toAccount);
  }

  async replaceApiKeyHash(tx: EntityManager, accountId: string, apiKeyHash: string): Promise<boolean> {
    const result = await tx.update(AccountOrmEntity, { id: accountId, role: 'customer' }, { apiKeyHash });
    return (result.affected ?? 0) > 0;
  }
}
