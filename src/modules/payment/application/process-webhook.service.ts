import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { OrderLifecycleFacade } from '../../order/application/order-lifecycle.facade';
import type { Order } from '../../order/domain/order';
import type { InboxEvent, PaymentRepository, StoredWebhookAnswer } from '../domain/payment.repository';
import { PAYMENT_REPOSITORY } from '../payment.tokens';
import { PaymentEventApplier } from './payment-event-applier';
import { PaymentMetrics } from './payment-metrics';

export interface WebhookAnswer extends StoredWebhookAnswer {
  duplicate: boolean;
}

/**
 * One delivery of a signed payment event. The inbox row, the order change and the stored answer
 * commit together; a repeated webhook-id gets the stored answer and changes nothing.
 */
@Injectable()
export class ProcessWebhookService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly orders: OrderLifecycleFacade,
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository<EntityManager>,
    private readonly applier: PaymentEventApplier,
    private readonly metrics: PaymentMetrics,
  ) {}

  async execute(event: InboxEvent, payload: unknown): Promise<WebhookAnswer> {
    const answer = await this.uow.run(async (em) => {
      if (!(await this.payments.claimEvent(em, event, payload))) {
        return { ...(await this.payments.storedAnswer(em, event.id)), duplicate: true };
      }
      await this.payments.lockTargets(em, event.orderId, event.holdId);
      const order = await this.findAndLockOrder(em, event);
      if (!order) {
        const pending = { status: 202, body: { status: 'pending', event_id: event.id } };
        await this.payments.recordOutcome(
          em,
          event.id,
          { status: 'pending', reason: null, orderId: null },
          pending,
        );
        return { ...pending, duplicate: false };
      }
      const applied = await this.applier.apply(em, event, order);
      const body: Record<string, unknown> = {
        status: applied.status,
        event_id: event.id,
        order_id: applied.order.id,
        order_status: applied.order.status,
      };
      if (applied.reason) body.reason = applied.reason;
      if (applied.paymentStatus) body.payment_status = applied.paymentStatus;
      const stored = { status: 200, body };
      await this.payments.recordOutcome(
        em,
        event.id,
        { status: applied.status, reason: applied.reason, orderId: applied.order.id },
        stored,
      );
      return { ...stored, duplicate: false };
    });
    this.metrics.webhook(event.type, answer.duplicate ? 'duplicate' : (answer.body.status as 'processed'));
    return answer;
  }

  /** By order id first; an event that names only the hold finds the order made from it, if any. */
  private async findAndLockOrder(em: EntityManager, event: InboxEvent): Promise<Order | null> {
    if (event.orderId) {
      try {
        return await this.orders.lockOrder(em, event.orderId);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    if (event.holdId) {
      const order = await this.orders.findOrderByHoldId(em, event.holdId);
      if (order) return this.orders.lockOrder(em, order.id);
    }
    return null;
  }
}
