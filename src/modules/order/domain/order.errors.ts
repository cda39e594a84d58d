import { domainError } from '../../../shared/domain/domain-error';

export class OrderNotCancellableError extends domainError('order_not_cancellable', 'Order not cancellable') {
  constructor(orderId: string, status: string) {
    super(`Order ${orderId} is ${status} and cannot be cancelled`);
  }
}

export class OrderPaymentOverdueError extends domainError('order_not_payable', 'Order not payable') {
  constructor(orderId: string) {
    super(`Order ${orderId} is past its payment deadline and is being cancelled`);
  }
}

export class OrderNotPayableError extends domainError('order_not_payable', 'Order not payable') {
  constructor(orderId: string, status: string) {
    super(`Order ${orderId} is ${status} and cannot be paid`);
  }
}

export class OrderNotRefundableError extends domainError('order_not_refundable', 'Order not refundable') {
  constructor(orderId: string, status: string) {
    super(`Order ${orderId} is ${status} and cannot be refunded`);
  }
}

export class RefundExceedsPaymentError extends domainError(
  'refund_exceeds_payment',
  'Refund exceeds payment',
) {
  constructor(orderId: string, requested: bigint, remaining: bigint) {
    super(`A refund of ${requested} is more than the ${remaining} left to refund on order ${orderId}`);
  }
}
