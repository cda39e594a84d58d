import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { IdempotentRequest } from '../database/idempotent-request';
import { ProblemDetails } from '../http/problem-details';
import { IdempotencyInterceptor } from './idempotency.interceptor';

export const IDEMPOTENT = 'idempotency:options';
/** On a handler: the index of its `@IdempotentRequestOf` parameter. */
export const IDEMPOTENT_REQUEST_PARAM = 'idempotency:request-param';

export interface IdempotentOptions {
  /** A request without an Idempotency-Key header is refused with 400 `idempotency_key_required`. */
  required: boolean;
}

/**
 * Declares that a POST honours the Idempotency-Key header (documented in Swagger) and, with
 * `required: true`, makes it mandatory. The error descriptions merge with the route's own. Every
 * authenticated POST must have it and an `@IdempotentRequestOf` parameter: the app refuses to boot
 * otherwise (see `checkIdempotentRoutes`). It puts the idempotency interceptor on the route, and only
 * there: a route without interceptors skips Nest's rxjs pipeline altogether.
 */
export const Idempotent = (options: IdempotentOptions = { required: false }) =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, options),
    UseInterceptors(IdempotencyInterceptor),
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

/** The Idempotency-Key request of an HTTP request, as the interceptor prepared it (no presenter yet). */
export type PreparedRequest = Omit<IdempotentRequest, 'present'>;

const prepared = new WeakMap<object, PreparedRequest>();

/** Called by the interceptor before the handler runs. */
export function prepareIdempotentRequest(httpRequest: object, request: PreparedRequest): void {
  prepared.set(httpRequest, request);
}

/** The request as the handler completed it, to see whether its answer was recorded (`settled`). */
export function preparedRequestOf(httpRequest: object): PreparedRequest | undefined {
  return prepared.get(httpRequest);
}

/**
 * The handler's parameter that receives the request's Idempotency-Key request (undefined when the
 * request carries no key), to hand to its use case, which hands it to the transaction that makes
 * the effect. `present` is how the handler turns the use case's result into its body: the
 * transaction stores exactly that answer with the effect.
 *
 *   debit(@Body() body, @IdempotentRequestOf(WalletTransactionResponse.of) idempotent: IdempotentRequest<…> | undefined)
 */
export function IdempotentRequestOf<R>(present: (result: R) => unknown): ParameterDecorator {
  const param = createParamDecorator(
    (_data: unknown, ctx: ExecutionContext): IdempotentRequest<R> | undefined => {
      const request = prepared.get(ctx.switchToHttp().getRequest<object>());
      return request && Object.assign(request, { present });
    },
  )();
  return (target, key, index) => {
    param(target, key, index);
    if (key !== undefined) {
      Reflect.defineMetadata(
        IDEMPOTENT_REQUEST_PARAM,
        index,
        (target as Record<string | symbol, object>)[key],
      );
    }
  };
}
