import { applyDecorators, HttpCode, type Type } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiCreatedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

/** The Fastify route config of a `@Creates()` route. */
interface CreatesConfig {
  createdUnder?: string;
}

/**
 * A POST that creates a resource: 201, with `Location` = `<collection>/<id of the answer>`, the URL
 * of the resource's GET. Documented with the answer's type and the header.
 */
export const Creates = (collection: string, type: Type<unknown>, description?: string) =>
  applyDecorators(
    HttpCode(201),
    RouteConfig({ createdUnder: collection } satisfies CreatesConfig),
    ApiCreatedResponse({
      type,
      description,
      headers: {
        Location: {
          description: `The created resource's URL (\`${collection}/{id}\`), where its GET answers`,
          required: true,
          schema: { type: 'string', format: 'uri-reference' },
        },
      },
    }),
  );

/**
 * Sets `Location` on a 201 of a `@Creates()` route, as the HTTP adapter sends it (see
 * createHttpAdapter): first answers and idempotent replays alike, since both are answers of the
 * handler's route. Not an interceptor: one on a route puts the route through Nest's rxjs pipeline.
 */
export function locate(reply: FastifyReply, body: unknown, status: number | undefined): void {
  if ((status ?? reply.statusCode) !== 201) return;
  const collection = (reply.request.routeOptions.config as CreatesConfig).createdUnder;
  const id = (body as { id?: unknown } | null)?.id;
  if (collection !== undefined && typeof id === 'string') reply.header('Location', `${collection}/${id}`);
}
