import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { OverdueExpirer } from '../../../shared/queue/deadline';
import { isPaymentOverdue, type Order } from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
import { ORDER_EXPIRY, ORDER_REPOSITORY } from '../order.tokens';
import { OrderLifecycleFacade } from './order-lifecycle.facade';

/** Cancels unpaid orders at their payment deadline: one (its delayed job) or all overdue (the sweeper). */
@Injectable()
export class ExpireOrdersService extends OverdueExpirer<Order> {
  constructor(
    uow: UnitOfWork,
    @Inject(ORDER_REPOSITORY) orders: OrderRepository<EntityManager>,
    private readonly lifecycle: OrderLifecycleFacade,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(uow, clock, ORDER_EXPIRY, orders, isPaymentOverdue);
  }

  protected async expire(em: EntityManager, overdue: Order[]): Promise<void> {
    // Products are locked in id order, so that concurrent sweepers never wait on each other in a cycle.
    overdue.sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
    for (const order of overdue) await this.lifecycle.cancel(em, order, 'expired');
  }
}
