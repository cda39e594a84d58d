import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { OverdueExpirer } from '../../../shared/queue/deadline';
import { type Hold, isOverdue } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_EXPIRY, HOLD_REPOSITORY } from '../inventory.tokens';
import { HoldReturns } from './hold-returns';

/** Returns the units of holds past their deadline: one hold (its delayed job) or all overdue (the sweeper). */
@Injectable()
export class ExpireHoldsService extends OverdueExpirer<Hold> {
  constructor(
    uow: UnitOfWork,
    @Inject(HOLD_REPOSITORY) holds: HoldRepository<EntityManager>,
    private readonly returns: HoldReturns,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(uow, clock, HOLD_EXPIRY, holds, isOverdue);
  }

  protected expire(em: EntityManager, holds: Hold[], now: Date): Promise<void> {
    return this.returns.giveBack(em, holds, 'expired', now);
  }
}
