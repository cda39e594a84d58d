import { Injectable, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Counter } from 'prom-client';
import { DomainError } from '../domain/domain-error';
import type { AuthenticatedRequest } from '../http/auth';
import { requestIdOf, toProblem } from '../http/problem-details.filter';
import { MetricsRegistry } from '../observability/metrics';
import { isValidIdempotencyKey, requestFingerprint } from './fingerprint';
import { type IdempotentRequest, type StoredResponse, toStoredBody } from '../database/idempotent-request';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
  IdempotentReplay,
  InvalidIdempotencyKeyError,
} from './idempotency.errors';
import { type ClaimOutcome, IdempotencyStore } from './idempotency.store';
import type { IdempotentOptions } from './idempotent.decorator';

/** What an `@Idempotent()` handler's `@IdempotentRequestOf` parameter receives from Nest. */
export interface IdempotentCallSlot {
  req: AuthenticatedRequest;
  res: FastifyReply;
  /** How the handler turns its use case's result into its body. */
  present: (result: never) => unknown;
}

/** What one `@Idempotent()` route says, read once from its handler. */
export interface IdempotentRoute {
  options: IdempotentOptions;
  /** The fields of its answers that are never stored (SecretField). */
  secrets: readonly string[];
}

export const REPLAYED_HEADER = 'idempotent-replayed';

const CALLS = 'idempotentCalls';

/** Gives every request of `fastify` the app's IdempotentCalls, for the `@Idempotent()` handlers. */
export function serveIdempotentCalls(fastify: FastifyInstance, calls: IdempotentCalls): void {
  fastify.decorateRequest(CALLS, { getter: () => calls });
}

/** The app's IdempotentCalls, as `serveIdempotentCalls` gave them to the request. */
export function idempotentCallsOf(req: object): IdempotentCalls {
  const calls = (req as { [CALLS]?: IdempotentCalls })[CALLS];
  if (!calls) throw new Error('Idempotency-Key handling is not served by this app (serveIdempotentCalls)');
  return calls;
}

/**
 * A stored failure, answered again as the first time (code, title, detail, extensions), and saying
 * that it is a replay in the body too: a reader of the body alone (Swagger UI, a log) would otherwise
 * take "Balance 0 is below 1999" for the state of the wallet now.
 */
class ReplayedProblem extends DomainError {
  readonly code: string;
  readonly title: string;
  override readonly extensions: Record<string, unknown>;

  constructor(body: Record<string, unknown>) {
    super(String(body.detail ?? ''));
    const { type: _type, title, status: _status, code, detail: _detail, request_id: _id, ...rest } = body;
    this.code = String(code);
    this.title = String(title);
    this.extensions = { ...rest, replayed: true, original_request_id: body.request_id };
  }
}

/**
 * Idempotency-Key for POSTs (see the Swagger description of the header). The key is claimed and answered inside the
 * transaction of the request's use case (see UnitOfWork and decideBatch), so the claim, the effect
 * and the answer commit together. `around` runs each `@Idempotent()` handler (the decorator wraps it):
 * it prepares the request for the handler's `@IdempotentRequestOf` parameter, replays from the Redis
 * cache when it can, replays what a transaction found already answered, and records a domain refusal
 * whose transaction rolled back. A 5xx records nothing, so the client may retry at once.
 *
 * It awaits the handler itself, so that the outcome is recorded when the handler really finishes,
 * even after the request was answered 503 by timeout (answerLateRequests). POSTs without a caller
 * (public routes) have no scope for a key and are not deduplicated. It is not a Nest interceptor: a
 * route with one runs every request through rxjs, which cost a hot hold without a key 18% of its CPU.
 */
@Injectable()
export class IdempotentCalls {
  private readonly logger = new Logger(IdempotentCalls.name);
  private readonly outcomes: Counter<string>;

  constructor(
    private readonly store: IdempotencyStore,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = metrics.counter('idempotency_requests_total', 'Idempotency-Key handling by outcome', [
      'outcome',
    ]);
  }

  /**
   * Runs `handler` with the request's Idempotency-Key request (undefined without a key), as the
   * route's options say; throws the refusals (a missing or invalid key, a key reused) as DomainErrors.
   */
  around(
    slot: IdempotentCallSlot,
    route: IdempotentRoute,
    handler: (request: IdempotentRequest | undefined) => Promise<unknown>,
  ): Promise<unknown> {
    const { req, res } = slot;
    if (req.method !== 'POST') return handler(undefined);
    const key = req.headers['idempotency-key'];
    if (key === undefined) {
      return route.options.required ? Promise.reject(new IdempotencyKeyRequiredError()) : handler(undefined);
    }
    if (!isValidIdempotencyKey(key)) return Promise.reject(new InvalidIdempotencyKeyError());
    if (!req.caller) return handler(undefined);

    const requestId = requestIdOf(req);
    const call: IdempotentRequest = {
      scope: req.caller.accountId,
      key,
      fingerprint: requestFingerprint(req.method, req.originalUrl.split('?')[0], req.body),
      // The route's status, set before the handler runs; read now, because after a timeout the
      // response already carries the 503 the client was given.
      status: res.statusCode,
      problem: (error) => {
        const { body } = toProblem(error, requestId, this.logger);
        return { status: body.status, body };
      },
      redact: (body) => withoutSecrets(body, route.secrets),
      present: slot.present,
    };
    return this.run(call, res, () => handler(call));
  }

  private async run(
    call: IdempotentRequest,
    res: FastifyReply,
    handle: () => Promise<unknown>,
  ): Promise<unknown> {
    const cached = await this.store.cached(call);
    if (cached) {
      if (cached.fingerprint !== call.fingerprint) return this.refuseReused();
      return this.replay(res, cached);
    }
    let result: unknown;
    try {
      result = await handle();
    } catch (error) {
      if (error instanceof IdempotentReplay) return this.replay(res, error.response);
      if (error instanceof IdempotencyKeyReusedError) return this.refuseReused();
      if (error instanceof IdempotencyKeyInUseError) this.outcomes.inc({ outcome: 'in_use' });
      else if (call.settled) this.outcomes.inc({ outcome: 'claimed' });
      else if (error instanceof DomainError && error.code !== 'validation_failed') {
        // A domain refusal is the request's answer and is kept. Input rejected by validation did not
        // reach the use case, and a 5xx may not have happened at all from the client's point of view.
        const refusal = call.problem(error);
        if (refusal.status < 500) {
          const outcome = await this.recordAlone(call, refusal);
          if (outcome?.kind === 'replay') return this.replay(res, outcome.response);
        }
      }
      throw error;
    }
    if (!call.settled) {
      // No transaction recorded the answer: the use case answered without changing anything (an
      // order already cancelled, say). Record it now, on its own.
      const outcome = await this.recordAlone(call, {
        status: call.status,
        body: call.redact(toStoredBody(result)),
      });
      if (outcome?.kind === 'replay') {
        return this.replay(res, outcome.response);
      }
      return result;
    }
    this.outcomes.inc({ outcome: 'claimed' });
    return result;
  }

  private async recordAlone(call: IdempotentRequest, response: StoredResponse): Promise<ClaimOutcome | null> {
    try {
      const outcome = await this.store.recordAlone(call, response);
      if (outcome.kind === 'claimed') this.outcomes.inc({ outcome: 'claimed' });
      if (outcome.kind === 'mismatch') this.refuseReused();
      return outcome;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // The answer stands; only its record is lost, and the client's retry runs again.
      this.logger.error({ err: error }, 'idempotent answer not recorded');
      return null;
    }
  }

  private replay(res: FastifyReply, response: StoredResponse): unknown {
    this.outcomes.inc({ outcome: 'replayed' });
    res.header(REPLAYED_HEADER, 'true');
    if (response.status >= 400) throw new ReplayedProblem(response.body as Record<string, unknown>);
    res.status(response.status);
    return response.body;
  }

  private refuseReused(): never {
    this.outcomes.inc({ outcome: 'reused' });
    throw new IdempotencyKeyReusedError();
  }
}

function withoutSecrets(body: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0 || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy = { ...(body as Record<string, unknown>) };
  for (const field of secrets) if (field in copy) copy[field] = null;
  return copy;
}
