import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { isVisibleTo, type Order } from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
import { ORDER_REPOSITORY } from '../order.tokens';

@Injectable()
export class GetOrderService {
  constructor(@Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository<EntityManager>) {}

  async execute(caller: Caller, orderId: string): Promise<Order> {
    const order = await this.orders.findById(orderId);
    if (!order || !isVisibleTo(order, caller)) throw new NotFoundError('Order', orderId);
    return order;
  }
}
