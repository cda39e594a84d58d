import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Caller } from '../../../shared/domain/caller';
import { type Hold, planRelease } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_REPOSITORY } from '../inventory.tokens';
import { HoldReturns } from './hold-returns';
import { lockOwnedHold } from './owned-hold';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

/**
 * Gives a hold's units back. The hold row is locked first, then the product row; a hold changes
 * only from `active`, so units come back exactly once whichever of release, expiry and order
 * creation gets the hold first. A hold found past its deadline is expired instead.
 */
@Injectable()
export class ReleaseHoldService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(HOLD_REPOSITORY) private readonly holds: HoldRepository<EntityManager>,
    private readonly returns: HoldReturns,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(caller: Caller, holdId: string): Promise<Hold> {
    return this.uow.run(async (em) => {
      const hold = await lockOwnedHold(this.holds, em, caller, holdId);
      const now = new Date(this.clock.now());
      const outcome = planRelease(hold, now);
      if (outcome.kind === 'unchanged') return hold;
      const status = outcome.kind === 'release' ? 'released' : 'expired';
      await this.returns.giveBack(em, [hold], status, now);
      return { ...hold, status, updatedAt: now };
    });
  }
}
