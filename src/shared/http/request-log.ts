import type { onResponseHookHandler } from 'fastify';
import type { ServerResponse } from 'http';
import { PinoLogger } from 'nestjs-pino';
import { PROBLEM_CODE } from './problem-details.filter';

const UNLOGGED = new Set(['/health', '/metrics']);

/**
 * One line per request, from a Fastify onResponse hook: the request id, method, URL, status, the
 * problem's code for a refusal, and the time taken. pino-http would do the same as Nest middleware
 * behind @fastify/middie, which cost about a tenth of the CPU of a hot request; nothing needs its
 * per-request logger context (error logs carry the request id themselves).
 */
export function requestLogHook(): onResponseHookHandler {
  return (req, reply, done) => {
    const logger = PinoLogger.root;
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    if (logger?.isLevelEnabled(level) && !UNLOGGED.has(req.url.split('?')[0])) {
      const code = (reply.raw as ServerResponse & { [PROBLEM_CODE]?: string })[PROBLEM_CODE];
      logger[level](
        {
          // Not `req` / `res`: pino-http's serializers own those names and expect Node's objects.
          request: { id: req.id, method: req.method, url: req.url },
          response: code ? { status: reply.statusCode, code } : { status: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  };
}
