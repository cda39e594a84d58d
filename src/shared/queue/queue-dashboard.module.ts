import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'crypto';
import type { onRequestHookHandler } from 'fastify';
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
 * The dashboard is a Fastify plugin outside Nest's guards, so every request under its route checks
 * the admin key here: as a bearer token (scripts) or as the password of HTTP Basic (a browser's
 * login prompt). A hook, not bull-board's own middleware option, which covers only the route itself.
 */
export function queueDashboardGate(config: AppConfig, route: string): onRequestHookHandler {
  const logger = new Logger('QueueDashboard');
  return (req, reply, done) => {
    // Every request passes here: most are told apart by their first characters, without a split.
    if (!req.url.startsWith(route)) return done();
    const path = req.url.split('?')[0];
    if (path !== route && !path.startsWith(`${route}/`)) return done();
    const presented = presentedApiKey(req);
    if (presented !== undefined && sameSecret(presented, config.ADMIN_API_KEY)) return done();
    const error = new UnauthorizedError(
      'The queue dashboard needs the admin key (Bearer, or as the Basic password)',
    );
    const problem = toProblem(error, requestIdOf(req), logger);
    sendProblem(reply, {
      ...problem,
      headers: { ...problem.headers, 'WWW-Authenticate': 'Basic realm="queues"' },
    });
  };
}

/**
 * Bull Board for operators at /admin/queues; modules add their queues with queueWithDashboard.
 * Access is checked by queueDashboardGate; with no middleware of its own, no Nest middleware runs
 * at all and @fastify/middie stays out of every request.
 */
@Module({
  imports: [
    BullBoardModule.forRoot({
      route: QUEUE_DASHBOARD_ROUTE,
      adapter: FastifyAdapter,
    }),
  ],
})
export class QueueDashboardModule {}

/** What a module imports for a queue of its own: the Bull queue, and its page on the dashboard. */
export function queueWithDashboard(name: string): DynamicModule[] {
  return [BullModule.registerQueue({ name }), BullBoardModule.forFeature({ name, adapter: BullAdapter })];
}
