import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { afterCommit, UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Caller } from '../../../shared/domain/caller';
import type { DeadlineScheduler } from '../../../shared/queue/deadline';
import { ConsumeHoldService } from '../../inventory/application/consume-hold.service';
import { lineAmount } from '../../../shared/domain/money';
import { type Order } from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
import { ORDER_EXPIRY_SCHEDULER, ORDER_REPOSITORY, ORDER_VIEWS } from '../order.tokens';
import { OrderCreationHooks } from './order-creation-hooks';
import { OrderMetrics } from './order-metrics';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { type OrderView, type OrderViews, unpaidView } from './order-view';
import { EventRecorder } from '../../event/application/event-recorder';

@Injectable()
export class CreateOrderService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly consumeHold: ConsumeHoldService,
    @Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository<EntityManager>,
    @Inject(ORDER_VIEWS) private readonly views: OrderViews<EntityManager>,
    private readonly hooks: OrderCreationHooks,
    private readonly metrics: OrderMetrics,
    private readonly config: AppConfig,
    @Inject(ORDER_EXPIRY_SCHEDULER) private readonly expiry: DeadlineScheduler,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
  ) {}

  /**
   * Consumes the hold (its row lock makes concurrent attempts on one hold queue up: the first wins,
   * the others find it consumed) and creates the order in the same transaction, where listeners
   * may already move it on (a payment that arrived first).
   */
  async execute(
    caller: Caller,
    holdId: string,
    idempotent: IdempotentRequest<OrderView> | undefined,
  ): Promise<OrderView> {
    const ttlMs = this.config.ORDER_PAYMENT_TTL_SECONDS * 1000;
    const order = await this.uow.run(
      async (em) => {
        const consumed = await this.consumeHold.execute(em, caller, holdId);
        const now = new Date(this.clock.now());
        const order: Order = {
          id: randomUUID(),
          accountId: caller.accountId,
          holdId,
          productId: consumed.productId,
          quantity: consumed.quantity,
          unitPrice: consumed.unitPrice,
          amount: lineAmount(consumed.unitPrice, consumed.quantity),
          currency: consumed.currency,
          status: 'pending_payment',
          refundedAmount: 0n,
          paymentDueAt: new Date(now.getTime() + ttlMs),
          paymentId: null,
          createdAt: now,
          updatedAt: now,
        };
        // Recorded before the listeners run, so that what they do to the order comes after it.
        this.events.record(em, [
          {
            type: 'order.created',
            accountId: order.accountId,
            resourceId: order.id,
            resource: unpaidView(order),
          },
        ]);
        await this.orders.insert(em, order);
        await this.hooks.notify(em, order);
        afterCommit(em, () => this.expiry.schedule([order.id], ttlMs));
        // A listener may have paid or cancelled it already.
        return (await this.views.findView(order.id, em)) as OrderView;
      },
      { idempotent },
    );
    this.metrics.created.inc();
    return order;
  }
}
