import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Logger, Module } from '@nestjs/common';
import { timingSafeEqual } from 'crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { bearerToken } from '../http/auth';
import { UnauthorizedError } from '../http/http-errors';
import { requestIdOf, sendProblem, toProblem } from '../http/problem-details.filter';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The password of a Basic credential, so that a browser can log in with the admin key. */
function basicPassword(req: Request): string | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * The dashboard is plain Express, outside Nest's guards, so it checks the admin key itself: as a
 * bearer token (scripts) or as the password of HTTP Basic (a browser's login prompt).
 */
export function adminKeyMiddleware(config: AppConfig) {
  const logger = new Logger('QueueDashboard');
  return (req: Request, res: Response, next: NextFunction): void => {
    const presented = bearerToken(req) ?? basicPassword(req);
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

/** Bull Board for operators at /admin/queues; modules add their queues with BullBoardModule.forFeature. */
@Module({
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
