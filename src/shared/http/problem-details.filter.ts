import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'http';
import { DomainError } from '../domain/domain-error';
import { isDatabaseUnavailable } from '../database/postgres-errors';
import { ValidationFailedError } from './http-errors';
import { codeForStatus, ProblemDetails, problemDocument, STATUS_BY_CODE } from './problem-details';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export interface Problem {
  body: ProblemDetails;
  headers: Record<string, string>;
}

/**
 * Turns any error into an RFC 9457 problem. Domain errors carry their code; framework exceptions
 * (routing, body parsing, throttling) get the code of their status; anything else is a bare 500
 * that is logged with the request id and never shows its message, stack or SQL.
 */
export function toProblem(exception: unknown, requestId: string, logger: Logger): Problem {
  const headers: Record<string, string> = {};
  if (exception instanceof DomainError) {
    const status = STATUS_BY_CODE[exception.code] ?? 422;
    if (exception.retryAfterSeconds !== undefined)
      headers['Retry-After'] = String(exception.retryAfterSeconds);
    const body = problemDocument({
      status,
      title: exception.title,
      code: exception.code,
      detail: exception.message,
      requestId,
      errors: exception instanceof ValidationFailedError ? exception.errors : undefined,
    });
    return { body: { ...exception.extensions, ...body }, headers };
  }

  const framework = frameworkStatus(exception);
  if (framework) {
    const { status, detail } = framework;
    const code = codeForStatus(status);
    const errors = code === 'validation_failed' ? [{ field: 'body', message: detail }] : undefined;
    return {
      body: problemDocument({ status, title: TITLES[status] ?? 'Error', code, detail, requestId, errors }),
      headers,
    };
  }

  if (isDatabaseUnavailable(exception)) {
    logger.error({ err: exception, request_id: requestId }, 'database unavailable');
    headers['Retry-After'] = '5';
    return {
      body: problemDocument({
        status: 503,
        title: 'Service unavailable',
        code: 'service_unavailable',
        detail: 'The database is unreachable; retry shortly',
        requestId,
      }),
      headers,
    };
  }

  logger.error({ err: exception, request_id: requestId }, 'unhandled error');
  return {
    body: problemDocument({ status: 500, title: TITLES[500], code: 'internal_error', requestId }),
    headers,
  };
}

/** Fastify's request-reading errors that have a more precise status or message than their own. */
const FASTIFY_ERRORS: Record<string, { status: number; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, detail: 'The request body is larger than 64 kB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    detail: 'Send request bodies as application/json',
  },
  FST_ERR_BAD_URL: { status: 400, detail: 'The request path is not a well-formed URL' },
  // Fastify's own 414 for a path segment past the router's maxParamLength: an id that long is
  // refused like any other id over its maximum length.
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, detail: 'A path segment is longer than 1000 characters' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    detail: 'The request body does not match its Content-Length',
  },
};

/** Status and a safe message for NestJS exceptions and Fastify's body-reading errors. */
function frameworkStatus(exception: unknown): { status: number; detail: string } | undefined {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return { status, detail: 'No such route or resource' };
    if (status === 413) return { status, detail: 'The request body is larger than 64 kB' };
    if (status >= 500) return undefined;
    return { status, detail: exception.message };
  }
  const e = exception as { code?: unknown; statusCode?: unknown } | null;
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const known = typeof e.code === 'string' ? FASTIFY_ERRORS[e.code] : undefined;
    if (known) return known;
    // The JSON parser's errors: malformed JSON, or `__proto__` / `constructor` keys.
    if (exception instanceof SyntaxError)
      return { status: 400, detail: 'The request body is not valid JSON' };
    return { status: e.statusCode, detail: 'The request could not be read' };
  }
  return undefined;
}

/** The problem's code, kept on the response for its log line. */
export const PROBLEM_CODE = Symbol('problem code');

export function sendProblem(reply: FastifyReply, problem: Problem): void {
  (reply.raw as ServerResponse & { [PROBLEM_CODE]?: string })[PROBLEM_CODE] = problem.body.code;
  void reply
    .headers(problem.headers)
    .code(problem.body.status)
    .type('application/problem+json')
    .send(JSON.stringify(problem.body));
}

export function requestIdOf(req: FastifyRequest): string {
  return req.id;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    if (reply.sent) return;
    sendProblem(reply, toProblem(exception, requestIdOf(req), this.logger));
  }
}
