import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  HttpCode,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  type Type,
} from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ApiCreatedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import { routeMetadata } from './route-metadata';

const CREATED_UNDER = 'http:created-under';

/**
 * A POST that creates a resource: 201, with `Location` = `<collection>/<id of the answer>`, the URL
 * of the resource's GET. Documented with the answer's type and the header.
 */
export const Creates = (collection: string, type: Type<unknown>, description?: string) =>
  applyDecorators(
    HttpCode(201),
    SetMetadata(CREATED_UNDER, collection),
    locationFirst,
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
 * The route's interceptors with LocationInterceptor first (outermost), whichever order the route's
 * decorators are written in: a replay answered by the idempotency interceptor gets its `Location` too.
 */
const locationFirst: MethodDecorator = (_target, _key, descriptor) => {
  const others: unknown[] = Reflect.getMetadata(INTERCEPTORS_METADATA, descriptor.value as object) ?? [];
  Reflect.defineMetadata(INTERCEPTORS_METADATA, [LocationInterceptor, ...others], descriptor.value as object);
};

/**
 * Sets `Location` on the 201s of `@Creates()` routes, first answers and idempotent replays alike
 * (it runs outside the idempotency interceptor, which answers a replay with the stored body).
 */
@Injectable()
export class LocationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  private readonly collection = routeMetadata((context) =>
    this.reflector.get<string | undefined>(CREATED_UNDER, context.getHandler()),
  );

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const collection = context.getType() === 'http' ? this.collection(context) : undefined;
    if (!collection) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        const id = (body as { id?: unknown } | null)?.id;
        if (reply.statusCode === 201 && typeof id === 'string') {
          reply.header('Location', `${collection}/${id}`);
        }
        return body;
      }),
    );
  }
}
