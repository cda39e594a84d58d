import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../shared/database/after-commit';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { type Hold, isOverdue } from '../domain/hold';
import type { DeadlineExpirer } from '../../../shared/queue/deadline';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_EXPIRY, HOLD_REPOSITORY } from '../inventory.tokens';
import { InventoryMetrics } from './inventory-metrics';
import { StockFacade } from './stock.facade';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { EventRecorder } from '../../event/application/event-recorder';

/** Returns the units of holds past their deadline: one hold (its delayed job) or all overdue (the sweeper). */
@Injectable()
export class ExpireHoldsService implements DeadlineExpirer {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(HOLD_REPOSITORY) private readonly holds: HoldRepository<EntityManager>,
    private readonly stock: StockFacade,
    private readonly metrics: InventoryMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
  ) {}

  /** Does nothing unless the hold is still active and overdue, so a duplicate or early job is harmless. */
  async expireOne(holdId: string): Promise<boolean> {
    return this.uow.run(async (em) => {
      const hold = await this.holds.lockById(em, holdId);
      if (!hold || !isOverdue(hold, new Date(this.clock.now()))) return false;
      await this.expire(em, [hold]);
      return true;
    });
  }

  /** Expires a batch of overdue holds; returns how many, so a caller can go on while batches are full. */
  async sweep(): Promise<number> {
    return this.uow.run(async (em) => {
      const overdue = await this.holds.lockOverdue(em, new Date(this.clock.now()), HOLD_EXPIRY.sweepBatch);
      if (overdue.length > 0) await this.expire(em, overdue);
      return overdue.length;
    });
  }

  private async expire(em: EntityManager, holds: Hold[]): Promise<void> {
    const units = new Map<string, number>();
    for (const hold of holds) units.set(hold.productId, (units.get(hold.productId) ?? 0) + hold.quantity);
    // Products in id order, so that two sweepers never wait on each other in a cycle.
    for (const productId of [...units.keys()].sort()) {
      await this.stock.returnReserved(em, productId, units.get(productId) as number);
    }
    const now = new Date(this.clock.now());
    this.events.record(
      em,
      holds.map((hold) => ({
        type: 'hold.expired' as const,
        accountId: hold.accountId,
        resourceId: hold.id,
        resource: { ...hold, status: 'expired' as const, updatedAt: now },
      })),
    );
    await this.holds.setStatus(
      em,
      holds.map((h) => h.id),
      'expired',
      now,
    );
    afterCommit(em, () => this.metrics.holdsExpired.inc(holds.length));
  }
}
