import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '../http/auth';
import { ProblemDetails } from '../http/problem-details';
import { type IdempotentCallSlot, type IdempotentRoute, idempotentCallsOf } from './idempotent-calls';
import { secretFieldsOfHandler } from './secret-field';

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
 * otherwise (see `unkeyedPostHandlers`). It wraps the handler in IdempotentCalls.around, which runs
 * after the guards and pipes (a body refused by validation is refused before its key is looked at),
 * and not through a Nest interceptor, whose rxjs pipeline every request of the route would pay for.
 */
export const Idempotent = (options: IdempotentOptions = { required: false }) =>
  applyDecorators(
    runsIdempotently(options),
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

/**
 * Replaces the handler with one that runs it through IdempotentCalls.around, handing it the
 * Idempotency-Key request in place of what its `@IdempotentRequestOf` parameter received. The
 * metadata that decorators below this one put on the handler moves to the new one; those above put
 * theirs on it directly.
 */
function runsIdempotently(options: IdempotentOptions): MethodDecorator {
  return (_target, key, descriptor) => {
    const handler = descriptor.value as unknown as (...args: unknown[]) => Promise<unknown>;
    const index = Reflect.getMetadata(IDEMPOTENT_REQUEST_PARAM, handler) as number | undefined;
    // The boot check (unkeyedPostHandlers) names a handler without the parameter.
    if (index === undefined) return;
    let route: IdempotentRoute | undefined;
    const idempotent = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const slot = args[index] as IdempotentCallSlot;
      route ??= { options, secrets: secretFieldsOfHandler(idempotent) };
      return idempotentCallsOf(slot.req).around(slot, route, (request) => {
        args[index] = request;
        return handler.apply(this, args);
      });
    };
    for (const metadataKey of Reflect.getOwnMetadataKeys(handler)) {
      Reflect.defineMetadata(metadataKey, Reflect.getOwnMetadata(metadataKey, handler), idempotent);
    }
    Object.defineProperty(idempotent, 'name', { value: String(key) });
    (descriptor as PropertyDescriptor).value = idempotent;
  };
}

/**
 * The handler's parameter that receives the request's Idempotency-Key request (undefined when the
 * request carries no key), to hand to its use case, which hands it to the transaction that makes
 * the effect (`@Idempotent()` puts it there in place of what Nest resolved). `present` is how the
 * handler turns the use case's result into its body: the transaction stores exactly that answer
 * with the effect.
 *
 *   debit(@Body() body, @IdempotentRequestOf(WalletTransactionResponse.of) idempotent: IdempotentRequest<…> | undefined)
 */
export function IdempotentRequestOf<R>(present: (result: R) => unknown): ParameterDecorator {
  const param = createParamDecorator((_data: unknown, ctx: ExecutionContext): IdempotentCallSlot => {
    const http = ctx.switchToHttp();
    return {
      req: http.getRequest<AuthenticatedRequest>(),
      res: http.getResponse<FastifyReply>(),
      present: present as (result: never) => unknown,
    };
  })();
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
