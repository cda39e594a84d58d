import { MAX_AMOUNT } from '../../../shared/domain/money';
import {
  OrderAmountTooLargeError,
  OrderNotCancellableError,
  OrderNotPayableError,
  OrderNotRefundableError,
} from './order.errors';

export const ORDER_STATUSES = ['pending_payment', 'paid', 'refunded', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const PAYMENT_METHODS = ['wallet', 'external'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_STATUSES = ['succeeded', 'refund_required'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface OrderPayment {
  /** The payment's own id (a provider's id for external payments). */
  id: string;
  method: PaymentMethod;
  status: PaymentStatus;
  walletTransactionId: string | null;
  amount: bigint;
}

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
  paymentDueAt: Date;
  payment: OrderPayment | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Orders only move forward: pending_payment -> paid -> refunded, or pending_payment -> cancelled. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['refunded'],
  refunded: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** Amounts are safe integers end to end (API, ledger, balances), so a larger total cannot be sold. */
export function orderAmount(unitPrice: bigint, quantity: number): bigint {
  const amount = unitPrice * BigInt(quantity);
  if (amount > BigInt(MAX_AMOUNT)) throw new OrderAmountTooLargeError(unitPrice, quantity);
  return amount;
}

export function isPaymentOverdue(order: Order, now: Date): boolean {
  return order.status === 'pending_payment' && order.paymentDueAt.getTime() <= now.getTime();
}

export function assertPayable(order: Order): void {
  if (!canTransition(order.status, 'paid')) throw new OrderNotPayableError(order.id, order.status);
}

/** Whether cancelling changes anything: a cancelled order is returned unchanged. */
export function planCancel(order: Order): 'cancel' | 'unchanged' {
  if (order.status === 'cancelled') return 'unchanged';
  if (!canTransition(order.status, 'cancelled')) throw new OrderNotCancellableError(order.id, order.status);
  return 'cancel';
}

/** Whether refunding changes anything: a refunded order is returned unchanged. */
export function planRefund(order: Order): 'refund' | 'unchanged' {
  if (order.status === 'refunded') return 'unchanged';
  if (!canTransition(order.status, 'refunded')) throw new OrderNotRefundableError(order.id, order.status);
  return 'refund';
}
