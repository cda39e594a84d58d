import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../../shared/domain/caller';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { type Hold, observedStatus } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_REPOSITORY } from '../inventory.tokens';

@Injectable()
export class GetHoldService {
  constructor(
    @Inject(HOLD_REPOSITORY) private readonly holds: HoldRepository<EntityManager>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The hold as its owner sees it: an active hold past its deadline is expired. Holds of other
   * accounts are not found, so that their existence does not leak.
   */
  async execute(caller: Caller, holdId: string): Promise<Hold> {
    const hold = await this.holds.findById(holdId);
    if (!hold || hold.accountId !== caller.accountId) throw new NotFoundError('Hold', holdId);
    return { ...hold, status: observedStatus(hold, new Date(this.clock.now())) };
  }
}
