import { DomainError } from '../domain/domain-error';

export interface FieldError {
  field: string;
  message: string;
}

/** Body, query or path failed validation; `errors` names each field. */
export class ValidationFailedError extends DomainError {
  readonly code = 'validation_failed';
  readonly title = 'Validation failed';

  constructor(
    readonly errors: FieldError[],
    detail = errors.map((e) => `${e.field} ${e.message}`).join('; '),
  ) {
    super(detail || 'The request is not valid');
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
  readonly title = 'Unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
  readonly title = 'Forbidden';
}

export class ServiceUnavailableError extends DomainError {
  readonly code = 'service_unavailable';
  readonly title = 'Service unavailable';
  override readonly retryAfterSeconds = 5;
}
