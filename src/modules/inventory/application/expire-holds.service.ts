import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { isOverdue } from '../domain/hold';
import type { DeadlineExpirer } from '../../../shared/queue/deadline';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_EXPIRY, HOLD_REPOSITORY } from '../inventory.tokens';
import { HoldReturns } from './hold-returns';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

/** Returns the units of holds past their deadline: one hold (its delayed job) or all overdue (the sweeper). */
@Injectable()
export class ExpireHoldsService implements DeadlineExpirer {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(HOLD_REPOSITORY) private readonly holds: HoldRepository<EntityManager>,
    private readonly returns: HoldReturns,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Does nothing unless the hold is still active and overdue, so a duplicate or early job is harmless. */
  async expireOne(holdId: string): Promise<boolean> {
    return this.uow.run(async (em) => {
      const hold = await this.holds.lockById(em, holdId);
      const now = new Date(this.clock.now());
      if (!hold || !isOverdue(hold, now)) return false;
      await this.returns.giveBack(em, [hold], 'expired', now);
      return true;
    });
  }

  /** Expires a batch of overdue holds; returns how many, so a caller can go on while batches are full. */
  async sweep(): Promise<number> {
    return this.uow.run(async (em) => {
      const now = new Date(this.clock.now());
      const overdue = await this.holds.lockOverdue(em, now, HOLD_EXPIRY.sweepBatch);
      if (overdue.length > 0) await this.returns.giveBack(em, overdue, 'expired', now);
      return overdue.length;
    });
  }
}
