import {
  type ArgumentMetadata,
  Param,
  ParseUUIDPipe,
  type PipeTransform,
  SetMetadata,
  ValidationError,
} from '@nestjs/common';
import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidatorOptions } from 'class-validator';
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

const isTolerant = (type: unknown) => Reflect.getMetadata(TOLERANT_READER, type as object) === true;

/** Removes the dropped keys at any depth, in place: a tolerant reader ignores them like any unknown field. */
function stripDroppedKeys(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    for (const key of DROPPED_KEYS) delete (node as Record<string, unknown>)[key];
    for (const child of Object.values(node))
      if (child !== null && typeof child === 'object') stack.push(child);
  }
}

/**
 * class-validator looks up a class's rules by scanning every registered class for its ancestors on
 * every validation (typestack/class-validator#2686); in the profile of refused holds that scan was
 * the largest single function. A class's rules are all registered when it is defined, before it
 * can be validated, so each lookup is kept per class and arguments; registering a rule (a class
 * defined later) starts the memo afresh.
 */
function memoizeRuleLookup(): void {
  type Lookup = (
    target: object,
    schema: string,
    always: boolean,
    strict: boolean,
    groups?: string[],
  ) => unknown;
  const storage = getMetadataStorage() as unknown as {
    getTargetValidationMetadatas: Lookup & { memoized?: true };
    addValidationMetadata: (metadata: unknown) => void;
  };
  if (storage.getTargetValidationMetadatas.memoized) return;
  const lookup = storage.getTargetValidationMetadatas.bind(storage) as Lookup;
  const add = storage.addValidationMetadata.bind(storage);
  let memo = new WeakMap<object, Map<string, unknown>>();
  const memoized: Lookup & { memoized?: true } = (target, schema, always, strict, groups) => {
    const key = `${schema}|${always}|${strict}|${groups?.join(',') ?? ''}`;
    let byArgs = memo.get(target);
    if (!byArgs) memo.set(target, (byArgs = new Map()));
    if (!byArgs.has(key)) byArgs.set(key, lookup(target, schema, always, strict, groups));
    return byArgs.get(key);
  };
  memoized.memoized = true;
  storage.getTargetValidationMetadatas = memoized;
  storage.addValidationMetadata = (metadata) => {
    memo = new WeakMap();
    add(metadata);
  };
}

/** What Nest's ValidationPipe leaves alone too: values whose type is not a DTO class. */
const NOT_DTOS = new Set<unknown>([String, Boolean, Number, Array, Object, Buffer, Date]);

const STRICT: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false, value: false },
};
const TOLERANT: ValidatorOptions = { ...STRICT, forbidNonWhitelisted: false };

/**
 * Bodies and query strings become instances of their DTO class (class-transformer) and are
 * validated by its class-validator rules; unknown fields are refused, except on a
 * @TolerantReader() body, where they are dropped. Every other argument passes as it is.
 *
 * Written for what reaches it here rather than as Nest's ValidationPipe: bodies come only from
 * the JSON parser (hostile-input.ts) and query strings from Fastify's, so there are no sparse
 * arrays or binary values to look for, and every rule is synchronous. Nest's pipe walked each
 * body four times for those cases and validated asynchronously; on a refused hold it was the
 * largest cost that a cached read does not have.
 */
class AppValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.metatype;
    if ((metadata.type !== 'body' && metadata.type !== 'query') || !type || NOT_DTOS.has(type)) return value;
    const field = metadata.type;
    // No body means no fields. A JSON `null`, an array or a scalar is a value where an object
    // belongs: on a body whose fields are all optional (a refund: all that is left), `null` must not
    // be obeyed as "no fields".
    const input = value === undefined ? {} : value;
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new ValidationFailedError([{ field, message: 'must be an object' }]);
    }
    const tolerant = isTolerant(type);
    if (tolerant) {
      stripDroppedKeys(input);
    } else {
      const dropped = droppedKey(input);
      if (dropped) {
        // The same words as the whitelist's own refusal of an unknown property.
        throw new ValidationFailedError([
          { field: dropped.field, message: `property ${dropped.key} should not exist` },
        ]);
      }
    }
    const dto = plainToInstance(type as ClassConstructor<object>, input, { enableImplicitConversion: false });
    const errors = validateSync(dto, tolerant ? TOLERANT : STRICT);
    if (errors.length > 0) throw new ValidationFailedError(flatten(errors));
    return dto;
  }
}

/** Unknown fields are rejected (except on a @TolerantReader() body); values are converted to the DTO's types. */
export function createValidationPipe(): PipeTransform {
  memoizeRuleLookup();
  return new AppValidationPipe();
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
