import { DomainError } from '../domain/domain-error';

export class IdempotencyKeyRequiredError extends DomainError {
  readonly code = 'idempotency_key_required';
  readonly title = 'Idempotency key required';

  constructor() {
    super('This endpoint needs an Idempotency-Key header');
  }
}

export class InvalidIdempotencyKeyError extends DomainError {
  readonly code = 'invalid_idempotency_key';
  readonly title = 'Invalid idempotency key';

  constructor() {
    super('Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
}

export class IdempotencyKeyInUseError extends DomainError {
  readonly code = 'idempotency_key_in_use';
  readonly title = 'Idempotency key in use';
  override readonly retryAfterSeconds = 1;

  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry shortly');
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency_key_reused';
  readonly title = 'Idempotency key reused';

  constructor() {
    super('This Idempotency-Key was used for a different request (method, path or body)');
  }
}
