import { domainError } from '../domain/domain-error';
import type { StoredResponse } from '../database/idempotent-request';

export class IdempotencyKeyRequiredError extends domainError(
  'idempotency_key_required',
  'Idempotency key required',
) {
  constructor() {
    super('This endpoint needs an Idempotency-Key header');
  }
}

export class InvalidIdempotencyKeyError extends domainError(
  'invalid_idempotency_key',
  'Invalid idempotency key',
) {
  constructor() {
    super('Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
}

export class IdempotencyKeyInUseError extends domainError(
  'idempotency_key_in_use',
  'Idempotency key in use',
) {
  override readonly retryAfterSeconds = 1;

  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry shortly');
  }
}

export class IdempotencyKeyReusedError extends domainError(
  'idempotency_key_reused',
  'Idempotency key reused',
) {
  constructor() {
    super('This Idempotency-Key was used for a different request (method, path or body)');
  }
}

/**
 * What a claim that found its key already answered comes to: the transaction rolls back and the
 * handler's IdempotentCalls.around replays the stored answer.
 */
export class IdempotentReplay extends Error {
  constructor(readonly response: StoredResponse) {
    super('idempotent replay');
  }
}
