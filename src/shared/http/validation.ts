import {
  type ArgumentMetadata,
  Param,
  ParseUUIDPipe,
  type PipeTransform,
  SetMetadata,
  ValidationError,
} from '@nestjs/common';
import { type ClassConstructor, plainToInstance, TransformationType } from 'class-transformer';
// class-transformer's registry of @Type, @Transform, @Expose and @Exclude (not in its index).
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  getMetadataStorage,
  IS_UUID,
  validateSync,
  type ValidatorConstraintInterface,
  type ValidatorOptions,
  ValidationTypes,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
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

const isTolerant = (type: object) => Reflect.getMetadata(TOLERANT_READER, type) === true;

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

type Rule = ValidationMetadata;
type DtoClass = ClassConstructor<object>;
type Lookup = (target: object, schema: string, always: boolean, strict: boolean, groups?: string[]) => Rule[];

/** What a DTO class's decorators come to, worked out on its first validation. */
interface DtoShape {
  tolerant: boolean;
  check: FastCheck | null;
}
let shapes = new WeakMap<DtoClass, DtoShape>();

/** Where a DTO class has UUIDs: its own @IsUUID fields, and its nested DTOs that may have some. */
interface UuidFields {
  own: string[];
  nested: string[];
}
let uuidFields = new WeakMap<object, UuidFields>();

/**
 * class-validator looks up a class's rules by scanning every registered class for its ancestors on
 * every validation (typestack/class-validator#2686); in the profile of refused holds that scan was
 * the largest single function. A class's rules are all registered when it is defined, before it
 * can be validated, so each lookup is kept per class and arguments; registering a rule (a class
 * defined later) starts the memo, and the fast checks made from it, afresh.
 */
function memoizeRuleLookup(): void {
  const storage = getMetadataStorage() as unknown as {
    getTargetValidationMetadatas: Lookup & { memoized?: true };
    addValidationMetadata: (metadata: Rule) => void;
  };
  if (storage.getTargetValidationMetadatas.memoized) return;
  const lookup = storage.getTargetValidationMetadatas.bind(storage) as Lookup;
  const add = storage.addValidationMetadata.bind(storage);
  let memo = new WeakMap<object, Map<string, Rule[]>>();
  const memoized: Lookup & { memoized?: true } = (target, schema, always, strict, groups) => {
    const key = `${schema}|${always}|${strict}|${groups?.join(',') ?? ''}`;
    let byArgs = memo.get(target);
    if (!byArgs) memo.set(target, (byArgs = new Map()));
    let rules = byArgs.get(key);
    if (!rules) byArgs.set(key, (rules = lookup(target, schema, always, strict, groups)));
    return rules;
  };
  memoized.memoized = true;
  storage.getTargetValidationMetadatas = memoized;
  storage.addValidationMetadata = (metadata) => {
    memo = new WeakMap();
    shapes = new WeakMap();
    uuidFields = new WeakMap();
    add(metadata);
  };
}

/** One property's rules, as class-validator's executor applies them to a valid value. */
interface PropertyCheck {
  property: string;
  /** ValidateIf and IsOptional: when one says no, the property's other rules are skipped. */
  conditions: Array<(object: object, value: unknown) => boolean>;
  /** The rest, IsDefined among them; validateSync skips async constraints, so they are left out. */
  constraints: Array<{ rule: Rule; validators: ValidatorConstraintInterface[] }>;
}

type FastCheck = (dto: Record<string, unknown>) => boolean;

/**
 * A check that says whether class-validator would find no error in a DTO made by `Object.assign`,
 * without building its errors: on a valid body, the executor's error objects, filters and rule
 * grouping were most of what validation cost, and validation was the largest cost a refused hold
 * had that a cached read has not. It answers "valid" only where validateSync would; on anything else
 * (an invalid body, a rule that answers with a promise) the caller runs validateSync, whose errors
 * are the answer. `null` for a class this cannot decide alone:
 * - class-transformer metadata (@Type, @Transform, @Expose, @Exclude) on it or an ancestor: the DTO
 *   plainToInstance builds is then not the body's own fields;
 * - nested validation, promise validation, or no rule at all (forbidUnknownValues);
 * - a rule on a name the prototype defines (plainToInstance skips such keys).
 */
function makeFastCheck(type: DtoClass, tolerant: boolean): FastCheck | null {
  const storage = getMetadataStorage();
  const rules = storage.getTargetValidationMetadatas(type, undefined as unknown as string, false, false);
  if (rules.length === 0 || hasTransformMetadata(type, rules)) return null;
  const properties: PropertyCheck[] = [];
  for (const [property, own] of Object.entries(storage.groupByPropertyName(rules))) {
    if (property in type.prototype) return null;
    const check: PropertyCheck = { property, conditions: [], constraints: [] };
    for (const rule of own) {
      if (rule.type === ValidationTypes.WHITELIST) continue;
      if (rule.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        check.conditions.push(rule.constraints[0] as (object: object, value: unknown) => boolean);
      } else if (
        rule.type === ValidationTypes.CUSTOM_VALIDATION ||
        rule.type === ValidationTypes.IS_DEFINED
      ) {
        const validators = storage
          .getTargetValidatorConstraints(rule.constraintCls)
          .filter((c) => !c.async)
          .map((c) => c.instance);
        check.constraints.push({ rule, validators });
      } else {
        return null;
      }
    }
    properties.push(check);
  }
  const known = new Set(properties.map((p) => p.property));
  const targetName = type.name;
  return (dto) => {
    for (const key of Object.keys(dto)) {
      if (known.has(key)) continue;
      if (!tolerant) return false;
      delete dto[key];
    }
    for (const { property, conditions, constraints } of properties) {
      const value = dto[property];
      if (!conditions.every((condition) => condition(dto, value))) continue;
      for (const { rule, validators } of constraints) {
        if (rule.validateIf && !rule.validateIf(dto, value)) continue;
        const args = { targetName, property, object: dto, value, constraints: rule.constraints };
        // JSON and query strings have no Set or Map; `each` applies to arrays only.
        const values = rule.each && Array.isArray(value) ? (value as unknown[]) : [value];
        for (const validator of validators) {
          for (const v of values) {
            const valid: unknown = validator.validate(v, args);
            if (!valid || typeof (valid as Promise<boolean>).then === 'function') return false;
          }
        }
      }
    }
    return true;
  };
}

/** Whether plainToInstance would do more for `type` than copy the fields of a JSON body or query string. */
function hasTransformMetadata(type: DtoClass, rules: Rule[]): boolean {
  const storage = defaultMetadataStorage;
  if (storage.getStrategy(type) !== 'none') return true;
  if (storage.getExposedMetadatas(type).length > 0 || storage.getExcludedMetadatas(type).length > 0)
    return true;
  return rules.some(
    (r) =>
      storage.findTypeMetadata(type, r.propertyName) !== undefined ||
      storage.findTransformMetadatas(type, r.propertyName, TransformationType.PLAIN_TO_CLASS).length > 0,
  );
}

function uuidFieldsOf(type: object): UuidFields {
  let fields = uuidFields.get(type);
  if (!fields) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(
      type as DtoClass,
      undefined as unknown as string,
      false,
      false,
    );
    fields = {
      own: [...new Set(rules.filter((r) => r.name === IS_UUID).map((r) => r.propertyName))],
      nested: [
        ...new Set(
          rules.filter((r) => r.type === ValidationTypes.NESTED_VALIDATION).map((r) => r.propertyName),
        ),
      ],
    };
    uuidFields.set(type, fields);
  }
  return fields;
}

/**
 * UUIDs are matched case-insensitively and written in lower case: every @IsUUID field of a valid
 * DTO, at any depth, is lower-cased here, once, so that no use case, lookup or answer ever sees
 * another spelling of an id (an upper-case wallet id was a 404 in a transfer, and echoed as sent).
 */
function lowerCaseUuids(dto: object): void {
  const stack: object[] = [dto];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown>;
    const { own, nested } = uuidFieldsOf(node.constructor);
    for (const field of own) {
      const value = node[field];
      if (typeof value === 'string') node[field] = value.toLowerCase();
      else if (Array.isArray(value))
        node[field] = value.map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
    }
    for (const field of nested) {
      const value = node[field];
      for (const child of Array.isArray(value) ? (value as unknown[]) : [value]) {
        if (child !== null && typeof child === 'object') stack.push(child);
      }
    }
  }
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
    const dtoClass = type as DtoClass;
    let shape = shapes.get(dtoClass);
    if (!shape) {
      const tolerant = isTolerant(dtoClass);
      shapes.set(dtoClass, (shape = { tolerant, check: makeFastCheck(dtoClass, tolerant) }));
    }
    const { tolerant, check } = shape;
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
    if (check) {
      const dto = Object.assign(new dtoClass(), input);
      if (check(dto as Record<string, unknown>)) {
        lowerCaseUuids(dto);
        return dto;
      }
    }
    const dto = plainToInstance(dtoClass, input, { enableImplicitConversion: false });
    const errors = validateSync(dto, tolerant ? TOLERANT : STRICT);
    if (errors.length > 0) throw new ValidationFailedError(flatten(errors));
    lowerCaseUuids(dto);
    return dto;
  }
}

/** Unknown fields are rejected (except on a @TolerantReader() body); values are converted to the DTO's types. */
export function createValidationPipe(): PipeTransform {
  memoizeRuleLookup();
  return new AppValidationPipe();
}

const LOWER_CASE: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/** A path parameter that must be a UUID (any version), in any case; handlers get it in lower case. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      version: 'all',
      exceptionFactory: () => new ValidationFailedError([{ field: name, message: 'must be a UUID' }]),
    }),
    LOWER_CASE,
  );
