import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Order } from '../domain/order';
import { TypeOrmOrderRepository } from '../infrastructure/typeorm-order.repository';
import { OrderLifecycleService } from './order-lifecycle.service';

/** Who is asking: orders of other accounts are not found unless the caller is the admin. */
export interface OrderViewer {
  accountId: string;
  admin: boolean;
}

@Injectable()
export class ManageOrderService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly orders: TypeOrmOrderRepository,
    private readonly lifecycle: OrderLifecycleService,
    private readonly config: AppConfig,
  ) {}

  async get(viewer: OrderViewer, orderId: string): Promise<Order> {
    const order = await this.orders.findById(orderId);
    if (!order || !canSee(viewer, order)) throw new NotFoundError('Order', orderId);
    return order;
  }

  async cancel(viewer: OrderViewer, orderId: string): Promise<Order> {
    return this.uow.run(
      async (em) => {
        const order = await this.lifecycle.lockOrder(em, orderId);
        if (!canSee(viewer, order)) throw new NotFoundError('Order', orderId);
        return this.lifecycle.cancel(em, orderId);
      },
      { lockTimeoutMs: this.config.LOCK_TIMEOUT_MS },
    );
  }
}

function canSee(viewer: OrderViewer, order: Order): boolean {
  return viewer.admin || order.accountId === viewer.accountId;
}
