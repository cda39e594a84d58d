import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onSendHookHandler,
  preValidationHookHandler,
  RouteOptions,
} from 'fastify';
import { AppConfig } from '../../config/app-config';
import { presentedApiKey, sameSecret } from '../http/auth';
import { UnauthorizedError, ValidationFailedError } from '../http/http-errors';
import { codeForStatus, problemDocument } from '../http/problem-details';
import { requestIdOf, sendProblem, toProblem } from '../http/problem-details.filter';

const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

/** What Bull accepts as the state of `clean/:queueStatus` and `retry/:queueStatus`. */
const QUEUE_STATES: Record<string, ReadonlySet<string>> = {
  clean: new Set(['completed', 'wait', 'active', 'paused', 'delayed', 'failed']),
  retry: new Set(['completed', 'failed']),
};

const asArray = <T>(hooks: T | T[] | undefined): T[] =>
  hooks === undefined ? [] : ([] as T[]).concat(hooks);

/**
 * Puts the dashboard's routes behind the admin key, whatever the spelling of their path. The gate
 * is attached to the routes themselves as they are registered, so it runs exactly for what the
 * router routes to the dashboard: a percent-encoded, absolute-form or otherwise unusual spelling
 * that the router resolves to a dashboard route meets the gate, and one it does not resolve is a
 * plain 404. (A gate comparing the raw URL with a prefix is walked past by `/admin/%71ueues`.)
 * Bull Board answers its own errors in its own shape, and lets Bull's exceptions for bad input
 * through as 500s; here its routes answer problem documents, and those inputs are a 400.
 * Call before the dashboard's plugin registers its routes (before the app's init).
 */
export function guardQueueDashboard(
  fastify: FastifyInstance,
  config: AppConfig,
  route = QUEUE_DASHBOARD_ROUTE,
): void {
  const logger = new Logger('QueueDashboard');
  const gate: onRequestHookHandler = (req, reply, done) => {
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
  const errorHandler = (error: unknown, req: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, toProblem(error, requestIdOf(req), logger));

  fastify.addHook('onRoute', (options: RouteOptions) => {
    if (options.url !== route && !options.url.startsWith(`${route}/`)) return;
    const onRequest = asArray(options.onRequest);
    if (onRequest.includes(gate)) return;
    options.onRequest = [gate, ...onRequest];
    options.preValidation = [...asArray(options.preValidation), refuseBadInput];
    options.onSend = [...asArray(options.onSend), answerErrorsAsProblems];
    options.errorHandler = errorHandler;
  });
}

const refuseBadInput: preValidationHookHandler = (req, _reply, done) => {
  const { queueStatus } = (req.params ?? {}) as { queueStatus?: string };
  const action = req.routeOptions.url?.split('/').at(-2) ?? '';
  if (queueStatus !== undefined && QUEUE_STATES[action] && !QUEUE_STATES[action].has(queueStatus)) {
    const allowed = [...QUEUE_STATES[action]].join(', ');
    return done(new ValidationFailedError([{ field: 'queueStatus', message: `must be one of ${allowed}` }]));
  }
  if (
    req.body !== undefined &&
    (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))
  ) {
    return done(new ValidationFailedError([{ field: 'body', message: 'must be a JSON object' }]));
  }
  done();
};

/** Bull Board's error answers (`{ "error": { "key": "ERRORS.QUEUE_NOT_FOUND" } }`) as problem documents. */
const answerErrorsAsProblems: onSendHookHandler = (req, reply, payload, done) => {
  const type = String(reply.getHeader('content-type') ?? '');
  if (reply.statusCode < 400 || type.startsWith('application/problem+json')) return done(null, payload);
  const status = reply.statusCode;
  let detail = 'The queue dashboard refused the request';
  try {
    const key = (JSON.parse(String(payload)) as { error?: { key?: unknown } }).error?.key;
    if (typeof key === 'string') detail = sentence(key.replace(/^ERRORS\./, ''));
  } catch {
    // Not JSON: the generic detail stands.
  }
  const code = codeForStatus(status);
  const title = code === 'internal_error' ? 'Internal server error' : sentence(code);
  reply.type('application/problem+json');
  done(null, JSON.stringify(problemDocument({ status, title, code, detail, requestId: requestIdOf(req) })));
};

const sentence = (name: string) => {
  const words = name.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * Bull Board for operators at /admin/queues; modules add their queues with queueWithDashboard.
 * Access is checked by guardQueueDashboard; with no middleware of its own, no Nest middleware runs
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
