import { randomUUID } from 'crypto';
import type { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'http';
import type { Socket } from 'net';
import { ValidationFailedError } from './http-errors';
import { problemDocument } from './problem-details';
import { sendProblem, toProblem } from './problem-details.filter';

const ANSWERS: Record<string, { status: number; code: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    detail: 'The request did not arrive whole within the request timeout',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'validation_failed',
    detail: 'The request headers are larger than 16 kB',
  },
};
const MALFORMED = { status: 400, code: 'validation_failed', detail: 'The request is not well-formed HTTP' };

/**
 * What Node's HTTP parser refuses before any route sees the request (a NUL in a header, headers
 * too large, a request cut by the timeout) is answered like every other error: a problem document
 * with a request id, instead of Fastify's bare JSON. The connection is closed after it.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, code, detail } = (error.code && ANSWERS[error.code]) || MALFORMED;
    const requestId = randomUUID();
    const errors = code === 'validation_failed' ? [{ field: 'request', message: detail }] : undefined;
    const title = STATUS_CODES[status] ?? 'Bad request';
    const body = JSON.stringify(problemDocument({ status, title, code, detail, requestId, errors }));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Node's own check, which answers a bare 400 before any hook runs, is off for this (see createHttpAdapter). */
export const HTTP_SERVER_OPTIONS = { requireHostHeader: false } as const;

/**
 * An HTTP/1.1 request without Host is refused, as RFC 9112 says, with a problem document and the
 * request's id. HTTP/1.0 has no Host requirement and is answered as usual.
 */
export function refuseMissingHost(req: FastifyRequest, reply: FastifyReply, logger: Logger): boolean {
  if (req.headers.host !== undefined || req.raw.httpVersionMajor !== 1 || req.raw.httpVersionMinor !== 1) {
    return false;
  }
  const missing = new ValidationFailedError(
    [{ field: 'host', message: 'is required in HTTP/1.1' }],
    'An HTTP/1.1 request must name its Host',
  );
  sendProblem(reply, toProblem(missing, req.id, logger));
  return true;
}
