import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../shared/database/after-commit';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Caller } from '../../../shared/domain/caller';
import { type Hold, planRelease } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_REPOSITORY } from '../inventory.tokens';
import { InventoryMetrics } from './inventory-metrics';
import { lockOwnedHold } from './owned-hold';
import { StockFacade } from './stock.facade';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { EventRecorder } from '../../event/application/event-recorder';

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
    private readonly stock: StockFacade,
    private readonly metrics: InventoryMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
  ) {}

  async execute(caller: Caller, holdId: string): Promise<Hold> {
    return this.uow.run(async (em) => {
      const hold = await lockOwnedHold(this.holds, em, caller, holdId);
      const now = new Date(this.clock.now());
      const outcome = planRelease(hold, now);
      if (outcome.kind === 'unchanged') return hold;
      await this.stock.returnReserved(em, hold.productId, hold.quantity);
      const status = outcome.kind === 'release' ? 'released' : 'expired';
      const changed: Hold = { ...hold, status, updatedAt: now };
      this.events.record(em, [
        { type: `hold.${status}`, accountId: hold.accountId, resourceId: hold.id, resource: changed },
      ]);
      await this.holds.setStatus(em, [hold.id], status, now);
      if (status === 'expired') afterCommit(em, () => this.metrics.holdsExpired.inc());
      return changed;
    });
  }
}
