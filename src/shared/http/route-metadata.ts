import type { ExecutionContext } from '@nestjs/common';

/**
 * What a route's decorators say, read once per handler: the metadata is fixed when the controller
 * is defined, and reading it through reflect-metadata on every request was a visible part of a
 * refused hold's profile (each read walks the prototype chain of its key). `read` runs on the
 * first request to each handler.
 */
export function routeMetadata<T>(read: (context: ExecutionContext) => T): (context: ExecutionContext) => T {
  const known = new WeakMap<object, T>();
  return (context) => {
    const handler = context.getHandler();
    if (known.has(handler)) return known.get(handler) as T;
    const value = read(context);
    known.set(handler, value);
    return value;
  };
}
