import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions, DECORATORS } from '@nestjs/swagger';

const SECRET_FIELDS = Symbol('secret response fields');

/**
 * A field of a response type that carries a secret (an API key, a signing secret). Declared here,
 * once, on the type: the idempotency layer never stores such a field (an idempotent replay shows it
 * as `null`), whichever route answers with the type. The document says so too.
 */
export function SecretField(options: ApiPropertyOptions & { description: string }): PropertyDecorator {
  const mark: PropertyDecorator = (target, property) => {
    // getMetadata walks the prototype chain: a subclass starts from its parent's secret fields.
    const fields = (Reflect.getMetadata(SECRET_FIELDS, target.constructor) as string[] | undefined) ?? [];
    Reflect.defineMetadata(SECRET_FIELDS, [...fields, String(property)], target.constructor);
  };
  return applyDecorators(
    mark,
    ApiProperty({
      ...options,
      type: String,
      nullable: true,
      description: `${options.description} Shown only in this answer: it is never stored, so an idempotent replay answers \`null\`.`,
    } as ApiPropertyOptions) as PropertyDecorator,
  );
}

/** The secret fields of the types a handler is documented to answer with on success. */
export function secretFieldsOfHandler(handler: object): string[] {
  const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) ?? {}) as Record<
    string,
    { type?: unknown }
  >;
  const fields = new Set<string>();
  for (const [status, { type }] of Object.entries(responses)) {
    if (!/^2\d\d$/.test(status) || typeof type !== 'function') continue;
    for (const field of (Reflect.getMetadata(SECRET_FIELDS, type) as string[] | undefined) ?? [])
      fields.add(field);
  }
  return [...fields];
}
