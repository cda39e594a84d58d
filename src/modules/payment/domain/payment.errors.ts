import { domainError } from '../../../shared/domain/domain-error';

/** Only money owed back (a `refund_required` payment) can be settled, and only once. */
export class PaymentNotResolvableError extends domainError(
  'payment_not_resolvable',
  'Payment not resolvable',
) {
  constructor(paymentId: string, status: string) {
    super(`Payment ${paymentId} is ${status}, not refund_required`);
  }
}

export class InvalidWebhookSignatureError extends domainError('invalid_signature', 'Invalid signature') {}

/** A move of a payment's status that its table of transitions does not allow (see payment-status.ts). */
export class PaymentTransitionRefusedError extends domainError(
  'payment_transition_refused',
  'Payment transition refused',
) {
  constructor(paymentId: string, from: string, to: string) {
    super(`Payment ${paymentId} cannot move from ${from} to ${to}`);
  }
}
