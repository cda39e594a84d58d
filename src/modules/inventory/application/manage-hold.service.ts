import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { afterCommit } from '../../../shared/database/after-commit';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { assertConsumable, type Hold, planRelease } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_REPOSITORY } from '../inventory.tokens';
import { InventoryMetrics } from './inventory-metrics';
import { StockService } from './stock.service';

/** What an order is made from: the units and the price they were held at. */
export interface ConsumedHold {
  holdId: string;
  productId: string;
  quantity: number;
  unitPrice: bigint;
  currency: string;
}

/**
 * Reading, releasing and consuming holds. Each transition takes the hold row lock first and then,
 * if units move, the product row lock; a transition happens only from `active`, so units come back
 * exactly once whichever of release, expiry and order creation gets the hold first.
 */
@Injectable()
export class ManageHoldService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(HOLD_REPOSITORY) private readonly holds: HoldRepository<EntityManager>,
    private readonly stock: StockService,
    private readonly metrics: InventoryMetrics,
    private readonly config: AppConfig,
  ) {}

  /** Holds of other accounts are not found, so that their existence does not leak. */
  async get(accountId: string, holdId: string): Promise<Hold> {
    const hold = await this.holds.findById(holdId);
    if (!hold || hold.accountId !== accountId) throw new NotFoundError('Hold', holdId);
    return hold;
  }

  async release(accountId: string, holdId: string): Promise<Hold> {
    return this.uow.run(
      async (em) => {
        const hold = await this.lockOwned(em, accountId, holdId);
        const now = new Date();
        const outcome = planRelease(hold, now);
        if (outcome.kind === 'unchanged') return hold;
        await this.stock.returnReserved(em, hold.productId, hold.quantity);
        const status = outcome.kind === 'release' ? 'released' : 'expired';
        await this.holds.setStatus(em, [hold.id], status, now);
        if (status === 'expired') afterCommit(em, () => this.metrics.holdsExpired.inc());
        return { ...hold, status, updatedAt: now };
      },
      { lockTimeoutMs: this.config.LOCK_TIMEOUT_MS },
    );
  }

  /**
   * Inside the caller's unit of work (order creation): the hold becomes `consumed` and its units
   * stay reserved, now by the order. HoldExpiredError once `expires_at` has passed, swept or not.
   */
  async consume(em: EntityManager, accountId: string, holdId: string): Promise<ConsumedHold> {
    const hold = await this.lockOwned(em, accountId, holdId);
    const now = new Date();
    assertConsumable(hold, now);
    await this.holds.setStatus(em, [hold.id], 'consumed', now);
    const product = await this.stock.findProduct(em, hold.productId);
    return {
      holdId: hold.id,
      productId: hold.productId,
      quantity: hold.quantity,
      unitPrice: product.price,
      currency: product.currency,
    };
  }

  private async lockOwned(em: EntityManager, accountId: string, holdId: string): Promise<Hold> {
    const hold = await this.holds.lockById(em, holdId);
    if (!hold || hold.accountId !== accountId) throw new NotFoundError('Hold', holdId);
    return hold;
  }
}
