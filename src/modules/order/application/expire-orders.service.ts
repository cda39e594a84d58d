import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { isPaymentOverdue } from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
import type { DeadlineExpirer } from '../../../shared/queue/deadline';
import { ORDER_EXPIRY, ORDER_REPOSITORY } from '../order.tokens';
import { OrderLifecycleFacade } from './order-lifecycle.facade';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

/** Cancels unpaid orders at their payment deadline: one (its delayed job) or all overdue (the sweeper). */
@Injectable()
export class ExpireOrdersService implements DeadlineExpirer {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository<EntityManager>,
    private readonly lifecycle: OrderLifecycleFacade,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Does nothing unless the order is still unpaid and overdue, so a duplicate or early job is harmless. */
  async expireOne(orderId: string): Promise<boolean> {
    return this.uow.run(async (em) => {
      const order = await this.orders.lockById(em, orderId);
      if (!order || !isPaymentOverdue(order, new Date(this.clock.now()))) return false;
      await this.lifecycle.cancel(em, order, 'expired');
      return true;
    });
  }

  async sweep(): Promise<number> {
    return this.uow.run(async (em) => {
      const overdue = await this.orders.lockOverdue(em, new Date(this.clock.now()), ORDER_EXPIRY.sweepBatch);
      // Products are locked in id order, so that concurrent sweepers never wait on each other in a cycle.
      overdue.sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
      for (const order of overdue) await this.lifecycle.cancel(em, order, 'expired');
      return overdue.length;
    });
  }
}
