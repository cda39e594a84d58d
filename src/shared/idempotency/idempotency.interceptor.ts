import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { Counter } from 'prom-client';
import { from, lastValueFrom, Observable, throwError } from 'rxjs';
import { DomainError } from '../domain/domain-error';
import type { AuthenticatedRequest } from '../http/auth';
import { requestIdOf, toProblem } from '../http/problem-details.filter';
import { routeMetadata } from '../http/route-metadata';
import { MetricsRegistry } from '../observability/metrics';
import { isValidIdempotencyKey, requestFingerprint } from './fingerprint';
import { type StoredResponse, toStoredBody } from '../database/idempotent-request';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
  IdempotentReplay,
  InvalidIdempotencyKeyError,
} from './idempotency.errors';
import { type ClaimOutcome, IdempotencyStore } from './idempotency.store';
import {
  IDEMPOTENT,
  type IdempotentOptions,
  type PreparedRequest,
  prepareIdempotentRequest,
} from './idempotent.decorator';
import { secretFieldsOfHandler } from './secret-field';

export const REPLAYED_HEADER = 'idempotent-replayed';

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
 * and the answer commit together. This interceptor prepares that request for the handler's
 * `@IdempotentRequestOf` parameter, replays from the Redis cache when it can, replays what a
 * transaction found already answered, and records a domain refusal whose transaction rolled back.
 * A 5xx records nothing, so the client may retry at once.
 *
 * It awaits the handler through its own subscription, so that the outcome is recorded when the
 * handler really finishes, even after the request was answered 503 by timeout (answerLateRequests).
 * `@Idempotent()` puts it on its routes; POSTs without a caller (public routes) have no scope for a
 * key and are not deduplicated.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);
  private readonly outcomes: Counter<string>;

  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = metrics.counter('idempotency_requests_total', 'Idempotency-Key handling by outcome', [
      'outcome',
    ]);
  }

  private readonly route = routeMetadata((context) => ({
    options: this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENT, context.getHandler()),
    secrets: secretFieldsOfHandler(context.getHandler()),
  }));

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    if (req.method !== 'POST') return next.handle();

    const { options, secrets } = this.route(context);
    const key = req.headers['idempotency-key'];
    if (key === undefined) {
      return options?.required ? throwError(() => new IdempotencyKeyRequiredError()) : next.handle();
    }
    if (!isValidIdempotencyKey(key)) return throwError(() => new InvalidIdempotencyKeyError());
    if (!req.caller) return next.handle();

    const res = http.getResponse<FastifyReply>();
    const requestId = requestIdOf(req);
    const call: PreparedRequest = {
      scope: req.caller.accountId,
      key,
      fingerprint: requestFingerprint(req.method, req.originalUrl.split('?')[0], req.body),
      // The route's status, set before interceptors run; read now, because after a timeout the
      // response already carries the 503 the client was given.
      status: res.statusCode,
      problem: (error) => {
        const { body } = toProblem(error, requestId, this.logger);
        return { status: body.status, body };
      },
      redact: (body) => withoutSecrets(body, secrets),
    };
    prepareIdempotentRequest(req, call);
    return from(this.run(call, res, next));
  }

  private async run(call: PreparedRequest, res: FastifyReply, next: CallHandler): Promise<unknown> {
    const cached = await this.store.cached(call);
    if (cached) {
      if (cached.fingerprint !== call.fingerprint) return this.refuseReused();
      return this.replay(res, cached);
    }
    let result: unknown;
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
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

  private async recordAlone(call: PreparedRequest, response: StoredResponse): Promise<ClaimOutcome | null> {
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
