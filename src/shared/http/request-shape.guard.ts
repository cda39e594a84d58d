import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyRequest } from 'fastify';
import { ValidationFailedError } from './http-errors';
import { routeMetadata } from './route-metadata';

/** What a handler's parameters read: fixed per handler, so worked out once. */
interface Reads {
  query: boolean;
  body: boolean;
}
const reads = routeMetadata((context): Reads => {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ??
    {}) as Record<string, unknown>;
  const types = new Set(Object.keys(args).map((key) => Number(key.split(':')[0]) as RouteParamtypes));
  return {
    query: types.has(RouteParamtypes.QUERY),
    body: types.has(RouteParamtypes.BODY) || types.has(RouteParamtypes.RAW_BODY),
  };
});

function sentBody(req: FastifyRequest): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!(length > 0) && req.headers['transfer-encoding'] === undefined) return false;
  const body: unknown = req.body;
  // `{}` is what many clients send when they have nothing to say; it carries no fields to ignore.
  const emptyObject =
    body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
  return !emptyObject;
}

/**
 * Unknown input is refused, not ignored: the ValidationPipe does that for the DTOs a handler
 * declares, this guard for what a handler does not read at all, a query string on a route without
 * query parameters (single-resource GETs) and a body on a body-less action (cancel, release).
 */
@Injectable()
export class RequestShapeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const handler = reads(context);
    if (!handler.query) {
      const unknown = Object.keys(req.query ?? {});
      if (unknown.length > 0) {
        throw new ValidationFailedError(
          unknown.slice(0, 5).map((name) => ({
            field: name.slice(0, 64),
            message: 'is not a query parameter of this endpoint',
          })),
        );
      }
    }
    if (!handler.body && sentBody(req)) {
      throw new ValidationFailedError([
        { field: 'body', message: 'must be empty: this endpoint takes no body' },
      ]);
    }
    return true;
  }
}
