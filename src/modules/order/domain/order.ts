import { type Caller, isAdmin } from '../../../shared/domain/caller';
import {
  OrderNotCancellableError,
  OrderNotPayableError,
  OrderPaymentOverdueError,
  OrderNotRefundableError,
  RefundExceedsPaymentError,
} from './order.errors';

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'partially_refunded',
  'refunded',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export interface Order {
  id: string;
  accountId: string;
  holdId: string;
  productId: string;
  quantity: number;
  unitPrice: bigint;
  amount: bigint;
  currency: string;
  status: OrderStatus;
  /** Money given back so far, 0 .. amount (refunds of a paid order, or a settled refund_required). */
  refundedAmount: bigint;
  paymentDueAt: Date;
  /**
   * The id of the payment that paid the order, or for a cancelled order of the money that arrived
   * after. The payment module keeps the payment itself (and money of a second payment for a paid
   * order, never named here); the order keeps no copy of it.
   */
  paymentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Orders only move forward: pending_payment -> paid -> (partially_refunded ->) refunded, or
 * pending_payment -> cancelled. A partially refunded order takes further partial refunds.
 */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  cancelled: [],
};

/** Orders of other accounts are not found unless the caller is the admin. */
export function isVisibleTo(order: Order, caller: Caller): boolean {
  return isAdmin(caller) || order.accountId === caller.accountId;
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

export function isPaymentOverdue(order: Order, now: Date): boolean {
  return order.status === 'pending_payment' && order.paymentDueAt.getTime() <= now.getTime();
}

export function assertPayable(order: Order): void {
  if (!canTransition(order.status, 'paid')) throw new OrderNotPayableError(order.id, order.status);
}

/** What a client's own payment also needs: the deadline has not passed (the sweeper may not have come yet). */
export function assertPayableNow(order: Order, now: Date): void {
  assertPayable(order);
  if (isPaymentOverdue(order, now)) throw new OrderPaymentOverdueError(order.id);
}

/** Whether cancelling changes anything: a cancelled order is returned unchanged. */
export function planCancel(order: Order): 'cancel' | 'unchanged' {
  if (order.status === 'cancelled') return 'unchanged';
  if (!canTransition(order.status, 'cancelled')) throw new OrderNotCancellableError(order.id, order.status);
  return 'cancel';
}

export interface RefundPlan {
  /** What this refund gives back. */
  amount: bigint;
  refundedAmount: bigint;
  status: 'partially_refunded' | 'refunded';
  /** The order is refunded in full now: its units go back to available. */
  full: boolean;
}

/**
 * A refund of `requested` (the whole remainder when undefined) of a paid or partially refunded
 * order. OrderNotRefundableError when the order was never paid or nothing is left to refund;
 * RefundExceedsPaymentError when more is asked than remains.
 */
export function planRefund(order: Order, requested?: bigint): RefundPlan {
  const remaining = order.amount - order.refundedAmount;
  if (!canTransition(order.status, 'refunded') || remaining <= 0n) {
    throw new OrderNotRefundableError(order.id, order.status);
  }
  const amount = requested ?? remaining;
  if (amount <= 0n) throw new RangeError(`refund amount must be positive, got ${amount}`);
  if (amount > remaining) throw new RefundExceedsPaymentError(order.id, amount, remaining);
  const refundedAmount = order.refundedAmount + amount;
  const full = refundedAmount === order.amount;
  return { amount, refundedAmount, status: full ? 'refunded' : 'partially_refunded', full };
}
