import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { isVisibleTo } from '../domain/order';
import { ORDER_VIEWS } from '../order.tokens';
import { OrderLifecycleFacade } from './order-lifecycle.facade';
import { type OrderView, type OrderViews, unpaidView } from './order-view';

/** A client's cancellation of an unpaid order (the owner's or the admin's). */
@Injectable()
export class CancelOrderService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly lifecycle: OrderLifecycleFacade,
    @Inject(ORDER_VIEWS) private readonly views: OrderViews<EntityManager>,
  ) {}

  async execute(
    caller: Caller,
    orderId: string,
    idempotent: IdempotentRequest<OrderView> | undefined,
  ): Promise<OrderView> {
    return this.uow.run(
      async (em) => {
        const order = await this.lifecycle.lockOrder(em, orderId);
        if (!isVisibleTo(order, caller)) throw new NotFoundError('Order', orderId);
        const cancelled = await this.lifecycle.cancel(em, order);
        // Only an order cancelled before can name a payment (money that arrived after): it is read then.
        return cancelled.paymentId === null
          ? unpaidView(cancelled)
          : ((await this.views.findView(orderId, em)) as OrderView);
      },
      { idempotent },
    );
  }
}
