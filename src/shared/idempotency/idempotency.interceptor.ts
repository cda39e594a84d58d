import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { Counter } from 'prom-client';
import { from, lastValueFrom, Observable, throwError } from 'rxjs';
import { DomainError } from '../domain/domain-error';
import type { AuthenticatedRequest } from '../http/auth';
import { requestIdOf, toProblem } from '../http/problem-details.filter';
import { MetricsRegistry } from '../observability/metrics';
import { isValidIdempotencyKey, requestFingerprint } from './fingerprint';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyRequiredError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
} from './idempotency.errors';
import { IdempotencyStore, type StoredResponse } from './idempotency.store';
import { IDEMPOTENT, type IdempotentOptions } from './idempotent.decorator';

export const REPLAYED_HEADER = 'idempotent-replayed';

/** A stored failure, answered again exactly as the first time (code, title, detail, extensions). */
class ReplayedProblem extends DomainError {
  readonly code: string;
  readonly title: string;
  override readonly extensions: Record<string, unknown>;

  constructor(body: Record<string, unknown>) {
    super(String(body.detail ?? ''));
    const { type: _type, title, status: _status, code, detail: _detail, request_id: _id, ...rest } = body;
    this.code = String(code);
    this.title = String(title);
    this.extensions = rest;
  }
}

/**
 * Idempotency-Key for POSTs (see API.md "Idempotency"). Runs inside the request timeout
 * interceptor: the handler's outcome is awaited here through its own subscription, so that it is
 * recorded when the handler really finishes, even after the client was answered 503 by timeout.
 * POSTs without a caller (public routes) have no scope for a key and are not deduplicated.
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

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    if (req.method !== 'POST') return next.handle();

    const options = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENT, context.getHandler());
    const key = req.headers['idempotency-key'];
    if (key === undefined) {
      return options?.required ? throwError(() => new IdempotencyKeyRequiredError()) : next.handle();
    }
    if (!isValidIdempotencyKey(key)) return throwError(() => new InvalidIdempotencyKeyError());
    if (!req.principal) return next.handle();

    return from(this.run(req, http.getResponse<Response>(), next, req.principal.accountId, key));
  }

  private async run(
    req: AuthenticatedRequest,
    res: Response,
    next: CallHandler,
    accountId: string,
    key: string,
  ): Promise<unknown> {
    // The route's status, set before interceptors run; read now, because after a timeout the
    // response already carries the 503 the client was given.
    const status = res.statusCode;
    const path = req.originalUrl.split('?')[0];
    const claim = await this.store.claim(accountId, key, requestFingerprint(req.method, path, req.body));
    if (claim.kind === 'mismatch') {
      this.outcomes.inc({ outcome: 'reused' });
      throw new IdempotencyKeyReusedError();
    }
    if (claim.kind === 'in_progress') {
      this.outcomes.inc({ outcome: 'in_use' });
      throw new IdempotencyKeyInUseError();
    }
    if (claim.kind === 'completed') {
      this.outcomes.inc({ outcome: 'replayed' });
      res.setHeader(REPLAYED_HEADER, 'true');
      return replay(claim.response);
    }
    this.outcomes.inc({ outcome: 'claimed' });

    let result: unknown;
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.settleFailure(req, accountId, key, claim.token, error);
      throw error;
    }
    const body: unknown = result === undefined ? null : JSON.parse(JSON.stringify(result));
    await this.store.complete(accountId, key, claim.token, { status, body }).catch((error: Error) =>
      // The work is done; an unrecorded answer leaves the key in progress until it goes stale,
      // and the business tables' own constraints keep a later retry from doing it twice.
      this.logger.error({ err: error, request_id: requestIdOf(req) }, 'idempotent answer not recorded'),
    );
    return result;
  }

  /**
   * A domain refusal is the request's answer and is kept. Input rejected by validation did not
   * reach the use case, and a 5xx or an unexpected error may not have happened at all from the
   * client's point of view: both release the key for a retry.
   */
  private async settleFailure(
    req: AuthenticatedRequest,
    accountId: string,
    key: string,
    token: string,
    error: unknown,
  ): Promise<void> {
    try {
      if (error instanceof DomainError && error.code !== 'validation_failed') {
        const { body } = toProblem(error, requestIdOf(req), this.logger);
        if (body.status < 500) {
          await this.store.complete(accountId, key, token, { status: body.status, body });
          return;
        }
      }
      await this.store.release(accountId, key, token);
    } catch (storeError) {
      this.logger.error({ err: storeError, request_id: requestIdOf(req) }, 'idempotency key not settled');
    }
  }
}

function replay(response: StoredResponse): unknown {
  if (response.status >= 400) throw new ReplayedProblem(response.body as Record<string, unknown>);
  return response.body;
}
