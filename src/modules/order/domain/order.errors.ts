import { DomainError } from '../../../shared/domain/domain-error';

export class OrderNotCancellableError extends DomainError {
  readonly code = 'order_not_cancellable';
  readonly title = 'Order not cancellable';

  constructor(orderId: string, status: string) {
    super(`Order ${orderId} is ${status} and cannot be cancelled`);
  }
}

export class OrderPaymentOverdueError extends DomainError {
  readonly code = 'order_not_payable';
  readonly title = 'Order not payable';

  constructor(orderId: string) {
    super(`Order ${orderId} is past its payment deadline and is being cancelled`);
  }
}

export class OrderNotPayableError extends DomainError {
  readonly code = 'order_not_payable';
  readonly title = 'Order not payable';

  constructor(orderId: string, status: string) {
    super(`Order ${orderId} is ${status} and cannot be paid`);
  }
}

export class OrderNotRefundableError extends DomainError {
  readonly code = 'order_not_refundable';
  readonly title = 'Order not refundable';

  constructor(orderId: string, status: string) {
    super(`Order ${orderId} is ${status} and cannot be refunded`);
  }
}

export class RefundExceedsPaymentError extends DomainError {
  readonly code = 'refund_exceeds_payment';
  readonly title = 'Refund exceeds payment';

  constructor(orderId: string, requested: bigint, remaining: bigint) {
    super(`A refund of ${requested} is more than the ${remaining} left to refund on order ${orderId}`);
  }
}

/** price × quantity past 9007199254740991: no wallet could pay it and no amount field could carry it. */
export class OrderAmountTooLargeError extends DomainError {
  readonly code = 'amount_too_large';
  readonly title = 'Amount too large';

  constructor(unitPrice: bigint, quantity: number) {
    super(`${quantity} × ${unitPrice} is more than the largest amount, 9007199254740991`);
  }
}
