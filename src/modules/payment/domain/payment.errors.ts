import { DomainError } from '../../../shared/domain/domain-error';

export class OrderPaymentOverdueError extends DomainError {
  readonly code = 'order_not_payable';
  readonly title = 'Order not payable';

  constructor(orderId: string) {
    super(`Order ${orderId} is past its payment deadline and is being cancelled`);
  }
}

/** Only money owed back (a `refund_required` payment) can be settled, and only once. */
export class PaymentNotResolvableError extends DomainError {
  readonly code = 'payment_not_resolvable';
  readonly title = 'Payment not resolvable';

  constructor(paymentId: string, status: string) {
    super(`Payment ${paymentId} is ${status}, not refund_required`);
  }
}

export class InvalidWebhookSignatureError extends DomainError {
  readonly code = 'invalid_signature';
  readonly title = 'Invalid signature';
}
