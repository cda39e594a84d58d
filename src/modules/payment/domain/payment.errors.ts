import { DomainError } from '../../../shared/domain/domain-error';

export class OrderPaymentOverdueError extends DomainError {
  readonly code = 'order_not_payable';
  readonly title = 'Order not payable';

  constructor(orderId: string) {
    super(`Order ${orderId} is past its payment deadline and is being cancelled`);
  }
}

export class InvalidWebhookSignatureError extends DomainError {
  readonly code = 'invalid_signature';
  readonly title = 'Invalid signature';
}
