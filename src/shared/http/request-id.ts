import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';

const VALID_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The id of a request, made before anything else looks at it so that every response, including a
 * malformed-JSON 400, carries `x-request-id`: the client's own when it sent a sensible one, else a
 * new UUID.
 */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && VALID_REQUEST_ID.test(given) ? given : randomUUID();
}
