import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../shared/database/after-commit';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { StockFacade } from '../../inventory/application/stock.facade';
import type { Caller } from '../../../shared/domain/caller';
import {
  assertPayable,
  assertPayableNow,
  type Order,
  planCancel,
  planRefund,
  type RefundPlan,
} from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
import { ORDER_REPOSITORY, ORDER_VIEWS } from '../order.tokens';
import { EventRecorder } from '../../event/application/event-recorder';
import { type OrderViews, unpaidView } from './order-view';
import { OrderMetrics } from './order-metrics';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

/**
 * Order state changes inside the CALLER's unit of work, for this module and the payment module.
 * The caller locks the order first (`lockOrder`, `lockForPayment`, `lockForRefund`), may do its own
 * work (a wallet debit), then hands the locked order to these, which lock the product row only when
 * units move.
 */
@Injectable()
export class OrderLifecycleFacade {
  constructor(
    @Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository<EntityManager>,
    private readonly stock: StockFacade,
    private readonly metrics: OrderMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ORDER_VIEWS) private readonly views: OrderViews<EntityManager>,
    private readonly events: EventRecorder,
  ) {}

  /** Locks the order row for the rest of the transaction; NotFoundError when there is none. */
  async lockOrder(em: EntityManager, orderId: string): Promise<Order> {
    const order = await this.orders.lockById(em, orderId);
    if (!order) throw new NotFoundError('Order', orderId);
    return order;
  }

  /**
   * The caller's order, locked, that it may pay now: NotFoundError for another account's,
   * OrderNotPayableError or OrderPaymentOverdueError unless it is pending and before its deadline.
   */
  async lockForPayment(em: EntityManager, caller: Caller, orderId: string): Promise<Order> {
    const order = await this.lockOrder(em, orderId);
    if (order.accountId !== caller.accountId) throw new NotFoundError('Order', orderId);
    assertPayableNow(order, new Date(this.clock.now()));
    return order;
  }

  /**
   * The order, locked, and what a refund of `requested` (the whole remainder when undefined) would
   * do to it: OrderNotRefundableError or RefundExceedsPaymentError when it cannot be done.
   */
  async lockForRefund(
    em: EntityManager,
    orderId: string,
    requested?: bigint,
  ): Promise<{ order: Order; plan: RefundPlan }> {
    const order = await this.lockOrder(em, orderId);
    return { order, plan: planRefund(order, requested) };
  }

  /** The order made from a hold, if any (not locked). */
  findOrderByHoldId(em: EntityManager, holdId: string): Promise<Order | null> {
    return this.orders.findByHoldId(em, holdId);
  }

  /** pending_payment -> paid by the payment `paymentId`; units reserved -> sold. OrderNotPayableError otherwise. */
  async markPaid(em: EntityManager, order: Order, paymentId: string): Promise<Order> {
    assertPayable(order);
    await this.stock.sellReserved(em, order.productId, order.quantity);
    return this.save(em, { ...order, status: 'paid', paymentId });
  }

  /**
   * pending_payment -> cancelled; units reserved -> available. A cancelled order is returned
   * unchanged; OrderNotCancellableError when paid or refunded. `reason` only sorts the metrics.
   */
  async cancel(
    em: EntityManager,
    order: Order,
    reason: 'cancelled' | 'expired' = 'cancelled',
  ): Promise<Order> {
    if (planCancel(order) === 'unchanged') return order;
    await this.stock.returnReserved(em, order.productId, order.quantity);
    const cancelled = await this.save(em, { ...order, status: 'cancelled' });
    // Only an order cancelled before can name a payment, so this is no read but in theory.
    const view =
      cancelled.paymentId === null ? unpaidView(cancelled) : await this.views.findView(cancelled.id, em);
    this.events.record(em, [
      { type: 'order.cancelled', accountId: cancelled.accountId, resourceId: cancelled.id, resource: view },
    ]);
    afterCommit(em, () => this.metrics[reason].inc());
    return cancelled;
  }

  /**
   * Records a refund planned with `lockForRefund` in this transaction: `refunded_amount` grows, the
   * order becomes partially_refunded or refunded, and a full refund returns its units
   * (sold -> available). Its payment's status is the payment module's to move.
   */
  async recordRefund(em: EntityManager, order: Order, plan: RefundPlan): Promise<Order> {
    if (plan.full) await this.stock.returnSold(em, order.productId, order.quantity);
    return this.save(em, { ...order, status: plan.status, refundedAmount: plan.refundedAmount });
  }

  /**
   * The money of the payment recorded on a cancelled order (refund_required) was given back:
   * `refunded_amount` becomes what it was. The status stays cancelled.
   */
  recordSettledPayment(em: EntityManager, order: Order, amount: bigint): Promise<Order> {
    if (!order.paymentId) throw new Error(`order ${order.id} has no payment to settle`);
    return this.save(em, { ...order, refundedAmount: amount });
  }

  /** Records a payment without changing the status (a success that came after the order was cancelled). */
  recordPayment(em: EntityManager, order: Order, paymentId: string): Promise<Order> {
    return this.save(em, { ...order, paymentId });
  }

  private async save(em: EntityManager, order: Order): Promise<Order> {
    const saved = { ...order, updatedAt: new Date(this.clock.now()) };
    await this.orders.save(em, saved);
    return saved;
  }
}
