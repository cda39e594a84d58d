import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { isVisibleTo } from '../domain/order';
import { ORDER_VIEWS } from '../order.tokens';
import type { OrderView, OrderViews } from './order-view';

@Injectable()
export class GetOrderService {
  constructor(@Inject(ORDER_VIEWS) private readonly orders: OrderViews<EntityManager>) {}

  async execute(caller: Caller, orderId: string): Promise<OrderView> {
    const order = await this.orders.findView(orderId);
    if (!order || !isVisibleTo(order, caller)) throw new NotFoundError('Order', orderId);
    return order;
  }
}
