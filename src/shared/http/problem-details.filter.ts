import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../domain/domain-error';
import { isDatabaseUnavailable } from '../database/postgres-errors';
import { ValidationFailedError } from './http-errors';
import { CODE_BY_STATUS, ProblemDetails, STATUS_BY_CODE } from './problem-details';

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
    const body: ProblemDetails = {
      type: 'about:blank',
      title: exception.title,
      status,
      code: exception.code,
      detail: exception.message,
      request_id: requestId,
    };
    if (exception instanceof ValidationFailedError) body.errors = exception.errors;
    return { body: { ...exception.extensions, ...body }, headers };
  }

  const framework = frameworkStatus(exception);
  if (framework) {
    const { status, detail } = framework;
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'validation_failed');
    const body: ProblemDetails = {
      type: 'about:blank',
      title: TITLES[status] ?? 'Error',
      status,
      code,
      detail,
      request_id: requestId,
    };
    if (code === 'validation_failed') body.errors = [{ field: 'body', message: detail }];
    return { body, headers };
  }

  if (isDatabaseUnavailable(exception)) {
    logger.error({ err: exception, request_id: requestId }, 'database unavailable');
    headers['Retry-After'] = '5';
    return {
      body: {
        type: 'about:blank',
        title: 'Service unavailable',
        status: 503,
        code: 'service_unavailable',
        detail: 'The database is unreachable; retry shortly',
        request_id: requestId,
      },
      headers,
    };
  }

  logger.error({ err: exception, request_id: requestId }, 'unhandled error');
  return {
    body: {
      type: 'about:blank',
      title: TITLES[500],
      status: 500,
      code: 'internal_error',
      request_id: requestId,
    },
    headers,
  };
}

/** Status and a safe message for NestJS exceptions and Express body-parser errors. */
function frameworkStatus(exception: unknown): { status: number; detail: string } | undefined {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return { status, detail: 'No such route or resource' };
    if (status === 413) return { status, detail: 'The request body is larger than 64 kB' };
    if (status >= 500) return undefined;
    return { status, detail: exception.message };
  }
  const e = exception as { type?: unknown; status?: unknown; expose?: unknown } | null;
  if (e && typeof e.status === 'number' && typeof e.type === 'string' && e.expose === true) {
    if (e.type === 'entity.too.large')
      return { status: 413, detail: 'The request body is larger than 64 kB' };
    if (e.type === 'entity.parse.failed')
      return { status: 400, detail: 'The request body is not valid JSON' };
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      return { status: 415, detail: 'Unsupported content encoding or charset' };
    }
    return { status: e.status, detail: 'The request body could not be read' };
  }
  return undefined;
}

/** The problem's code, kept on the response for its log line. */
export const PROBLEM_CODE = Symbol('problem code');

export function sendProblem(res: Response, problem: Problem): void {
  (res as Response & { [PROBLEM_CODE]?: string })[PROBLEM_CODE] = problem.body.code;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(problem.body.status).type('application/problem+json').send(JSON.stringify(problem.body));
}

export function requestIdOf(req: Request): string {
  return String((req as Request & { id?: unknown }).id ?? req.headers['x-request-id'] ?? '');
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    if (res.headersSent) return;
    sendProblem(res, toProblem(exception, requestIdOf(req), this.logger));
  }
}
