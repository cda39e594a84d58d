import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../../shared/domain/caller';
import { assertConsumable } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';
import { HOLD_REPOSITORY } from '../inventory.tokens';
import { lockOwnedHold } from './owned-hold';
import { StockFacade } from './stock.facade';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

/** What an order is made from: the units and the price they were held at. */
export interface ConsumedHold {
  holdId: string;
  productId: string;
  quantity: number;
  unitPrice: bigint;
  currency: string;
}

/**
 * Exported for order creation, inside its unit of work: the hold becomes `consumed` and its units
 * stay reserved, now by the order. The hold's row lock makes concurrent attempts on one hold queue
 * up; HoldExpiredError once `expires_at` has passed, swept or not.
 */
@Injectable()
export class ConsumeHoldService {
  constructor(
    @Inject(HOLD_REPOSITORY) private readonly holds: HoldRepository<EntityManager>,
    private readonly stock: StockFacade,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(em: EntityManager, caller: Caller, holdId: string): Promise<ConsumedHold> {
    const hold = await lockOwnedHold(this.holds, em, caller, holdId);
    const now = new Date(this.clock.now());
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
}
