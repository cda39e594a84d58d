import {
  type ArgumentMetadata,
  Param,
  ParseUUIDPipe,
  SetMetadata,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { FieldError, ValidationFailedError } from './http-errors';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: stripField(message, error.property),
    }));
    return own.concat(flatten(error.children ?? [], field));
  });
}

/** class-validator messages start with the property name, which `field` already carries. */
function stripField(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}

const TOLERANT_READER = 'validation:tolerant-reader';

/**
 * On a body class whose sender adds fields over time (a payment provider's webhooks): unknown fields
 * anywhere in it are dropped instead of refused, so a new field never turns into endless retries.
 * The known fields are validated as usual.
 */
export const TolerantReader = (): ClassDecorator => SetMetadata(TOLERANT_READER, true);

/**
 * Keys that the ValidationPipe deletes from the value before it is validated (prototype
 * pollution), so that the whitelist never sees them: without this check they would be ignored
 * instead of refused like any other unknown field.
 */
const DROPPED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first such own key at any depth, with its path. Iterative, like the depth limit. */
export function droppedKey(value: unknown): { field: string; key: string } | undefined {
  // Paths are kept as the parent's entry, and spelled out only for the key that is found: the walk
  // runs on every body, and a string per key visited was most of its cost.
  type Entry = { node: unknown; key: string; parent: Entry | null };
  const stack: Entry[] = [{ node: value, key: '', parent: null }];
  while (stack.length > 0) {
    const entry = stack.pop() as Entry;
    const node = entry.node;
    if (node === null || typeof node !== 'object') continue;
    for (const key in node) {
      if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
      const child: Entry = { node: (node as Record<string, unknown>)[key], key, parent: entry };
      if (DROPPED_KEYS.has(key)) return { field: pathOf(child), key };
      const inner = child.node;
      if (inner !== null && typeof inner === 'object') stack.push(child);
    }
  }
  return undefined;
}

function pathOf(entry: { key: string; parent: { key: string; parent: unknown } | null }): string {
  const keys: string[] = [];
  for (let e: typeof entry | null = entry; e && e.parent; e = e.parent as typeof entry) keys.unshift(e.key);
  return keys.join('.');
}

class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // The ValidationPipe takes null for an empty object, so on a body whose fields are all optional
    // (a refund: all that is left) a JSON `null` would be obeyed as "no fields". No body (undefined)
    // still means no fields; `null` is a value where an object belongs, refused like an array.
    if (metadata.type === 'body' && value === null && metadata.metatype && this.toValidate(metadata)) {
      throw new ValidationFailedError([{ field: 'body', message: 'must be an object' }]);
    }
    if (metadata.metatype && this.toValidate(metadata) && !isTolerant(metadata.metatype)) {
      const dropped = droppedKey(value);
      if (dropped) {
        // The same words as the whitelist's own refusal of an unknown property.
        throw new ValidationFailedError([
          { field: dropped.field, message: `property ${dropped.key} should not exist` },
        ]);
      }
    }
    return super.transform(value, metadata);
  }

  /**
   * Synchronously: no rule here is asynchronous, and class-validator's asynchronous run allocates a
   * promise per rule on every request body.
   */
  protected override validate(object: object, options?: ValidatorOptions) {
    const tolerant = isTolerant(object.constructor);
    return validateSync(object, tolerant ? { ...options, forbidNonWhitelisted: false } : options);
  }
}

const isTolerant = (type: unknown) => Reflect.getMetadata(TOLERANT_READER, type as object) === true;

/** Unknown fields are rejected (except on a @TolerantReader() body); values are converted to the DTO's types. */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}

/** A path parameter that must be a UUID (any version). */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      version: 'all',
      exceptionFactory: () => new ValidationFailedError([{ field: name, message: 'must be a UUID' }]),
    }),
  );
