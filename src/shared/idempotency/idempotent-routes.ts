import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { IS_PUBLIC } from '../http/auth';
import { IDEMPOTENT, IDEMPOTENT_REQUEST_PARAM } from './idempotent.decorator';

/**
 * The POST handlers of `controllers` that would take an Idempotency-Key without handing it to their
 * use case: every authenticated POST must declare `@Idempotent()` and receive the request through
 * an `@IdempotentRequestOf(...)` parameter, and a handler with one needs the other. Public POSTs
 * (the payment webhook) have no caller to scope a key to. Returns "Controller.method: why" lines.
 */
export function unkeyedPostHandlers(
  controllers: ReadonlyArray<abstract new (...args: never[]) => unknown>,
): string[] {
  const problems: string[] = [];
  for (const controller of controllers) {
    const classPublic = Reflect.getMetadata(IS_PUBLIC, controller) === true;
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const isPost = Reflect.getMetadata(METHOD_METADATA, handler) === RequestMethod.POST;
      const declared = Reflect.getMetadata(IDEMPOTENT, handler) !== undefined;
      const receives = Reflect.getMetadata(IDEMPOTENT_REQUEST_PARAM, handler) !== undefined;
      const isPublic = classPublic || Reflect.getMetadata(IS_PUBLIC, handler) === true;
      const where = `${controller.name}.${name}`;
      if (declared && !receives) {
        problems.push(`${where}: @Idempotent() without an @IdempotentRequestOf parameter`);
      } else if (receives && !declared) {
        problems.push(`${where}: an @IdempotentRequestOf parameter without @Idempotent()`);
      } else if (isPost && !isPublic && !declared) {
        problems.push(`${where}: an authenticated POST without @Idempotent()`);
      }
    }
  }
  return problems;
}
