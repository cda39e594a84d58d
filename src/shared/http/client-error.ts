import { randomUUID } from 'crypto';
import { STATUS_CODES } from 'http';
import type { Socket } from 'net';
import { problemDocument } from './problem-details';

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
