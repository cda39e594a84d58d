import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { lockDue } from '../../../shared/database/mapped-rows';
import type { Hold, HoldStatus } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';
import { HoldOrmEntity } from './hold.orm-entity';

const toHold = (row: HoldOrmEntity): Hold => ({ ...row });

@Injectable()
export class TypeOrmHoldRepository implements HoldRepository<EntityManager> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<Hold | null> {
    const row = await this.dataSource.manager.findOne(HoldOrmEntity, { where: { id } });
    return row ? toHold(row) : null;
  }

  async lockById(em: EntityManager, id: string): Promise<Hold | null> {
    const row = await em.findOne(HoldOrmEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    return row ? toHold(row) : null;
  }

  async lockOverdue(em: EntityManager, now: Date, limit: number): Promise<Hold[]> {
    return (await lockDue(em, HoldOrmEntity, { status: 'active' }, 'expiresAt', now, limit)).map(toHold);
  }

  async setStatus(em: EntityManager, ids: string[], status: HoldStatus, at: Date): Promise<void> {
    await em.update(HoldOrmEntity, { id: In(ids) }, { status, updatedAt: at });
  }
}
