import { Param, ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';
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

/** Unknown fields are rejected; values are converted to the DTO's types. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
