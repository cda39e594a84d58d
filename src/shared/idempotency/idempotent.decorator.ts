import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ProblemDetails } from '../http/problem-details';

export const IDEMPOTENT = 'idempotency:options';

export interface IdempotentOptions {
  /** A request without an Idempotency-Key header is refused with 400 `idempotency_key_required`. */
  required: boolean;
}

/**
 * Documents the Idempotency-Key header of a POST and, with `required: true`, makes it mandatory.
 * Every POST honours the header when sent (the interceptor is global); this decorator is what
 * makes it required and shows it in Swagger. The error descriptions merge with the route's own.
 */
export const Idempotent = (options: IdempotentOptions = { required: false }) =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, options),
    ApiHeader({
      name: 'Idempotency-Key',
      required: options.required,
      description:
        (options.required ? 'Required. ' : 'Optional. ') +
        '1..255 printable ASCII characters, a new one per operation (a UUID is a good choice), scoped to the ' +
        'calling account and kept for IDEMPOTENCY_TTL_SECONDS (24 h by default). A retry with the same key and ' +
        'the same request replays the first answer (header `idempotent-replayed: true`) without doing anything ' +
        'again, refusals included. A retry sent while the first request still runs waits for it (up to ' +
        'LOCK_TIMEOUT_MS) and replays its answer, else gets 409 `idempotency_key_in_use`. A request that failed ' +
        'with a 5xx left nothing behind: its retry runs at once.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
    ApiBadRequestResponse({
      type: ProblemDetails,
      description: options.required
        ? '`idempotency_key_required`: no Idempotency-Key; `invalid_idempotency_key`: not 1..255 printable ASCII'
        : '`invalid_idempotency_key`: not 1..255 printable ASCII',
    }),
    ApiConflictResponse({
      type: ProblemDetails,
      description: '`idempotency_key_in_use`: a request with this key is still running (see `Retry-After`)',
    }),
    ApiUnprocessableEntityResponse({
      type: ProblemDetails,
      description: '`idempotency_key_reused`: this key was used for a different method, path or body',
    }),
  );
