import type { Order } from '../domain/order';

/**
 * What an order's answer shows of the payment it names (`Order.paymentId`), as the payment module
 * recorded it. The order module attaches no rule to it and only passes it on: the payment's
 * statuses and their moves are the payment module's, which the order module does not know.
 */
export interface PaymentSummary {
  id: string;
  method: string;
  status: string;
  walletTransactionId: string | null;
  amount: bigint;
}

/** An order as it is presented: the order and the summary of the payment it names, if any. */
export interface OrderView extends Order {
  payment: PaymentSummary | null;
}

/** The read side of orders: each view is one read (the order joined to its payment). */
export interface OrderViews<Tx> {
  findView(id: string, tx?: Tx): Promise<OrderView | null>;
}

/** The view of an order that names no payment, which needs no read. */
export function unpaidView(order: Order): OrderView {
  if (order.paymentId !== null) throw new Error(`order ${order.id} names payment ${order.paymentId}`);
  return { ...order, payment: null };
}
