import type { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceUnavailableError } from './http-errors';
import { sendProblem, toProblem } from './problem-details.filter';

const TIMER = Symbol('request timeout');
type TimedRequest = FastifyRequest & { [TIMER]?: NodeJS.Timeout };

/**
 * Answers 503 when a request is not answered within `ms` of its having arrived whole (until then,
 * Node's own request timeout cuts a client trickling it, with a 408: see boundRequestTime). The
 * handler is not cancelled: what it commits stays committed, and IdempotentCalls records its real
 * outcome, so a client retrying with the same key gets either "in use" or the first request's
 * answer, never a second effect. The handler's own answer, when it comes, is dropped by the HTTP
 * adapter (ServiceHttpAdapter in app.setup.ts).
 *
 * One timer per request, from two Fastify hooks. A global Nest interceptor put every route through
 * rxjs (without it a cached read takes a quarter less CPU). Fastify's `handlerTimeout`, and an
 * `onRequestAbort` hook, each listen for every request's close: a sold-out refusal took a tenth
 * more CPU with either.
 */
export function answerLateRequests(fastify: FastifyInstance, ms: number, logger: Logger): void {
  fastify.addHook('preHandler', (req: TimedRequest, reply, done) => {
    req[TIMER] = setTimeout(() => {
      // An answer already under way (a file still streaming to a slow reader) is left to finish:
      // a second status line cannot be sent.
      if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
      const late = new ServiceUnavailableError(`The request did not complete within ${ms} ms`);
      sendProblem(reply, toProblem(late, req.id, logger));
    }, ms);
    done();
  });
  // A request whose client went away keeps its timer, which then finds the connection closed.
  fastify.addHook('onResponse', (req: TimedRequest, _reply, done) => {
    clearTimeout(req[TIMER]);
    done();
  });
}
