import { randomUUID } from 'crypto';
import type { NextFunction, Request, Response } from 'express';

const VALID_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Runs before body parsing so that every response, including a malformed-JSON 400, carries
 * `x-request-id`: the client's own when it sent a sensible one, else a new UUID.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && VALID_REQUEST_ID.test(given) ? given : randomUUID();
  (req as Request & { id: string }).id = id;
  res.setHeader('x-request-id', id);
  next();
}
