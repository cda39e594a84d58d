import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The request's Idempotency-Key, already checked by the interceptor. Unlike `@Headers()`, it adds
 * nothing to the OpenAPI document: `@Idempotent()` documents the header once.
 */
export const IdempotencyKeyHeader = createParamDecorator((_data: unknown, ctx: ExecutionContext): string =>
  String(ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'] ?? ''),
);
