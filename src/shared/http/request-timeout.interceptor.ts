import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AppConfig } from '../../config/app-config';
import { ServiceUnavailableError } from './http-errors';

/**
 * Answers 503 when a handler runs longer than REQUEST_TIMEOUT_MS. The handler is not cancelled:
 * what it commits stays committed, and the idempotency layer records its real outcome, so a client
 * retrying with the same key gets either "in use" or the first request's answer, never a second effect.
 *
 * One timer and one subscription per request, written out rather than composed from rxjs's
 * `timeout` and `catchError`: those two operators allocated about 10 kB per request, on every route.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ms = this.config.REQUEST_TIMEOUT_MS;
    return new Observable((subscriber) => {
      const timer = setTimeout(
        () => subscriber.error(new ServiceUnavailableError(`The request did not complete within ${ms} ms`)),
        ms,
      );
      const inner = next.handle().subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => {
          clearTimeout(timer);
          subscriber.error(error);
        },
        complete: () => {
          clearTimeout(timer);
          subscriber.complete();
        },
      });
      return () => {
        clearTimeout(timer);
        inner.unsubscribe();
      };
    });
  }
}
