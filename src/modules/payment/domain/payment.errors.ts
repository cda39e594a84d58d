import { DomainError } from '../../../shared/domain/domain-error';

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
