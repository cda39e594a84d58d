import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrderCreationHooks, type OrderCreatedListener } from '../../order/application/order-creation-hooks';
import { OrderLifecycleFacade } from '../../order/application/order-lifecycle.facade';
import type { Order } from '../../order/domain/order';
import type { PaymentRepository } from '../domain/payment.repository';
import { PAYMENT_REPOSITORY } from '../payment.tokens';
import { PaymentEventApplier } from './payment-event-applier';

/**
 * Events that arrived before their order (202 pending) are applied inside the transaction that
 * creates the order, oldest first, so the order is born paid (or cancelled) when they say so.
 */
@Injectable()
export class ApplyPendingEventsListener implements OrderCreatedListener, OnModuleInit {
  constructor(
    private readonly hooks: OrderCreationHooks,
    private readonly orders: OrderLifecycleFacade,
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository<EntityManager>,
    private readonly applier: PaymentEventApplier,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async onOrderCreated(em: EntityManager, order: Order): Promise<void> {
    await this.payments.lockTargets(em, order.id, order.holdId);
    // The order was inserted by this transaction, so no other can hold it; each event sees what the last made of it.
    let current = order;
    for (const event of await this.payments.lockPendingFor(em, order.id, order.holdId)) {
      const applied = await this.applier.apply(em, event, current);
      current = applied.order;
      // The pending delivery keeps its stored answer (202): a retry of that webhook-id replays it.
      await this.payments.recordOutcome(em, event.id, {
        status: applied.status,
        reason: applied.reason,
        orderId: order.id,
      });
    }
  }
}
