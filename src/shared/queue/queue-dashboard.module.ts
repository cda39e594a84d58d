import { ExpressAdapter } from '@bull-board/express';
import { BULL_BOARD_ADAPTER, BullBoardModule } from '@bull-board/nestjs';
import { Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'crypto';
import type { Application, NextFunction, Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { presentedApiKey } from '../http/auth';
import { UnauthorizedError } from '../http/http-errors';
import { requestIdOf, sendProblem, toProblem } from '../http/problem-details.filter';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

/** Digests have one length whatever was sent, so the comparison takes the same time for every guess. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The dashboard is plain Express, outside Nest's guards, so it checks the admin key itself: as a
 * bearer token (scripts) or as the password of HTTP Basic (a browser's login prompt).
 */
export function adminKeyMiddleware(config: AppConfig) {
  const logger = new Logger('QueueDashboard');
  return (req: Request, res: Response, next: NextFunction): void => {
    const presented = presentedApiKey(req);
    if (presented !== undefined && sameSecret(presented, config.ADMIN_API_KEY)) return next();
    const error = new UnauthorizedError(
      'The queue dashboard needs the admin key (Bearer, or as the Basic password)',
    );
    const problem = toProblem(error, requestIdOf(req), logger);
    sendProblem(res, {
      ...problem,
      headers: { ...problem.headers, 'WWW-Authenticate': 'Basic realm="queues"' },
    });
  };
}

/** Bull Board is its own Express app, which would announce itself with X-Powered-By. */
@Injectable()
class QuietDashboard implements OnModuleInit {
  constructor(@Inject(BULL_BOARD_ADAPTER) private readonly adapter: ExpressAdapter) {}

  onModuleInit(): void {
    (this.adapter.getRouter() as Application).disable('x-powered-by');
  }
}

/** Bull Board for operators at /admin/queues; modules add their queues with BullBoardModule.forFeature. */
@Module({
  providers: [QuietDashboard],
  imports: [
    BullBoardModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        route: QUEUE_DASHBOARD_ROUTE,
        adapter: ExpressAdapter,
        middleware: adminKeyMiddleware(config),
      }),
    }),
  ],
})
export class QueueDashboardModule {}
