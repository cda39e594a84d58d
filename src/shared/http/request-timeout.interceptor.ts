import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, TimeoutError, catchError, throwError, timeout } from 'rxjs';
import { AppConfig } from '../../config/app-config';
import { ServiceUnavailableError } from './http-errors';

/**
 * Answers 503 when a handler runs longer than REQUEST_TIMEOUT_MS. The handler is not cancelled:
 * what it commits stays committed, and the idempotency layer records its real outcome, so a client
 * retrying with the same key gets either "in use" or the first request's answer, never a second effect.
 */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      timeout(this.config.REQUEST_TIMEOUT_MS),
      catchError((error: unknown) =>
        throwError(() =>
          error instanceof TimeoutError
            ? new ServiceUnavailableError(
                `The request did not complete within ${this.config.REQUEST_TIMEOUT_MS} ms`,
              )
            : error,
        ),
      ),
    );
  }
}
