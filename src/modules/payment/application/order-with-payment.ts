import type { OrderView } from '../../order/application/order-view';
import type { Order } from '../../order/domain/order';
import type { Payment } from '../domain/payment';

/**
 * The order as it is answered, with the payment it names, from the payment a use case already holds:
 * no read of the order's view on the pay and refund paths.
 */
export function withPayment(order: Order, payment: Payment): OrderView {
  if (order.paymentId !== payment.id) {
    throw new Error(`order ${order.id} names payment ${order.paymentId}, not ${payment.id}`);
  }
  return {
    ...order,
    payment: {
      id: payment.id,
      method: payment.method,
      status: payment.status,
      walletTransactionId: payment.walletTransactionId,
      amount: payment.amount,
    },
  };
}
