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
  type OrderPayment,
  planCancel,
  planRefund,
  type RefundPlan,
} from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
import { ORDER_REPOSITORY } from '../order.tokens';
import { OrderMetrics } from './order-metrics';

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
    assertPayableNow(order, new Date());
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

  /** pending_payment -> paid with its payment; units reserved -> sold. OrderNotPayableError otherwise. */
  async markPaid(em: EntityManager, order: Order, payment: OrderPayment): Promise<Order> {
    assertPayable(order);
    await this.stock.sellReserved(em, order.productId, order.quantity);
    return this.save(em, { ...order, status: 'paid', payment });
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
    afterCommit(em, () => this.metrics[reason].inc());
    return cancelled;
  }

  /**
   * Records a refund planned with `lockForRefund` in this transaction: `refunded_amount` grows, the
   * order and its payment become partially_refunded or refunded, and a full refund returns its units
   * (sold -> available).
   */
  async recordRefund(em: EntityManager, order: Order, plan: RefundPlan): Promise<Order> {
    if (plan.full) await this.stock.returnSold(em, order.productId, order.quantity);
    return this.save(em, {
      ...order,
      status: plan.status,
      refundedAmount: plan.refundedAmount,
      payment: order.payment && { ...order.payment, status: plan.status },
    });
  }

  /**
   * The money of a payment recorded on a cancelled order (refund_required) was given back: the
   * payment shows refunded and `refunded_amount` what it was. The status stays cancelled.
   */
  async recordSettledPayment(em: EntityManager, order: Order): Promise<Order> {
    if (!order.payment) throw new Error(`order ${order.id} has no payment to settle`);
    return this.save(em, {
      ...order,
      refundedAmount: order.payment.amount,
      payment: { ...order.payment, status: 'refunded' },
    });
  }

  /** Records a payment without changing the status (a success that came after the order was cancelled). */
  recordPayment(em: EntityManager, order: Order, payment: OrderPayment): Promise<Order> {
    return this.save(em, { ...order, payment });
  }

  private async save(em: EntityManager, order: Order): Promise<Order> {
    const saved = { ...order, updatedAt: new Date() };
    await this.orders.save(em, saved);
    return saved;
  }
}
