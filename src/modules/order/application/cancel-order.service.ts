import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { isVisibleTo, type Order } from '../domain/order';
import { OrderLifecycleFacade } from './order-lifecycle.facade';

/** A client's cancellation of an unpaid order (the owner's or the admin's). */
@Injectable()
export class CancelOrderService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly lifecycle: OrderLifecycleFacade,
  ) {}

  async execute(caller: Caller, orderId: string): Promise<Order> {
    return this.uow.run(async (em) => {
      const order = await this.lifecycle.lockOrder(em, orderId);
      if (!isVisibleTo(order, caller)) throw new NotFoundError('Order', orderId);
      return this.lifecycle.cancel(em, order);
    });
  }
}
