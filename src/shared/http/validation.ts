import { Param, ParseUUIDPipe, SetMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
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

class AppValidationPipe extends ValidationPipe {
  protected override validate(object: object, options?: ValidatorOptions) {
    const tolerant = Reflect.getMetadata(TOLERANT_READER, object.constructor) === true;
    return super.validate(object, tolerant ? { ...options, forbidNonWhitelisted: false } : options);
  }
}

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
