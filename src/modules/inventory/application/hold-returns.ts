import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../shared/database/after-commit';
import type { Hold } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_REPOSITORY } from '../inventory.tokens';
import { InventoryMetrics } from './inventory-metrics';
import { StockFacade } from './stock.facade';
import { EventRecorder } from '../../event/application/event-recorder';

/** How holds end when their units go back: given up by their owner, or past their deadline. */
export type ReturnedStatus = 'released' | 'expired';

/**
 * Gives the units of active holds (locked by the caller in `em`) back to their products and marks the
 * holds `released` or `expired`, in that transaction, with a `hold.released` / `hold.expired` event
 * each; expiries are counted once it commits. Products are moved in id order, so that two
 * transactions never wait on each other in a cycle.
 */
@Injectable()
export class HoldReturns {
  constructor(
    @Inject(HOLD_REPOSITORY) private readonly holds: HoldRepository<EntityManager>,
    private readonly stock: StockFacade,
    private readonly metrics: InventoryMetrics,
    private readonly events: EventRecorder,
  ) {}

  async giveBack(em: EntityManager, holds: Hold[], status: ReturnedStatus, at: Date): Promise<void> {
    const units = new Map<string, number>();
    for (const hold of holds) units.set(hold.productId, (units.get(hold.productId) ?? 0) + hold.quantity);
    for (const productId of [...units.keys()].sort()) {
      await this.stock.returnReserved(em, productId, units.get(productId) as number);
    }
    this.events.record(
      em,
      holds.map((hold) => ({
        type: `hold.${status}` as const,
        accountId: hold.accountId,
        resourceId: hold.id,
        resource: { ...hold, status, updatedAt: at },
      })),
    );
    await this.holds.setStatus(
      em,
      holds.map((h) => h.id),
      status,
      at,
    );
    if (status === 'expired') afterCommit(em, () => this.metrics.holdsExpired.inc(holds.length));
  }
}
