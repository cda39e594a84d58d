import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { type Caller, isAdmin } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Order } from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
import { ORDER_REPOSITORY } from '../order.tokens';
import { OrderLifecycleService } from './order-lifecycle.service';

@Injectable()
export class ManageOrderService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository<EntityManager>,
    private readonly lifecycle: OrderLifecycleService,
    private readonly config: AppConfig,
  ) {}

  async get(caller: Caller, orderId: string): Promise<Order> {
    const order = await this.orders.findById(orderId);
    if (!order || !canSee(caller, order)) throw new NotFoundError('Order', orderId);
    return order;
  }

  async cancel(caller: Caller, orderId: string): Promise<Order> {
    return this.uow.run(
      async (em) => {
        const order = await this.lifecycle.lockOrder(em, orderId);
        if (!canSee(caller, order)) throw new NotFoundError('Order', orderId);
        return this.lifecycle.cancel(em, orderId);
      },
      { lockTimeoutMs: this.config.LOCK_TIMEOUT_MS },
    );
  }
}

/** Orders of other accounts are not found unless the caller is the admin. */
function canSee(caller: Caller, order: Order): boolean {
  return isAdmin(caller) || order.accountId === caller.accountId;
}
