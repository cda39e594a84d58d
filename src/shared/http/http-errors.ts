import { domainError } from '../domain/domain-error';

export interface FieldError {
  field: string;
  message: string;
}

/** Body, query or path failed validation; `errors` names each field. */
export class ValidationFailedError extends domainError('validation_failed', 'Validation failed') {
  constructor(
    readonly errors: FieldError[],
    detail = errors.map((e) => `${e.field} ${e.message}`).join('; '),
  ) {
    super(detail || 'The request is not valid');
  }
}

export class UnauthorizedError extends domainError('unauthorized', 'Unauthorized') {}

export class ForbiddenError extends domainError('forbidden', 'Forbidden') {}

export class ServiceUnavailableError extends domainError('service_unavailable', 'Service unavailable') {
  override readonly retryAfterSeconds = 5;
}
