import 'reflect-metadata';
import { IsInt, IsString, Min } from 'class-validator';
import { ValidationFailedError } from './http-errors';
import { createValidationPipe, TolerantReader } from './validation';

const pipe = createValidationPipe();
const body = (metatype: new () => object) => ({ type: 'body' as const, metatype, data: undefined });

const refusal = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return (error as ValidationFailedError).errors;
  }
  throw new Error('expected a validation failure');
};

class Quantity {
  @IsInt()
  @Min(1)
  quantity!: number;
}

describe('the validation pipe', () => {
  it('turns a valid body into an instance of its DTO, and refuses unknown fields', () => {
    const dto = pipe.transform({ quantity: 2 }, body(Quantity));
    expect(dto).toBeInstanceOf(Quantity);
    expect(dto).toEqual({ quantity: 2 });
    expect(refusal(() => pipe.transform({ quantity: 2, extra: 1 }, body(Quantity)))).toEqual([
      { field: 'extra', message: 'property extra should not exist' },
    ]);
  });

  it('takes no body for no fields, and refuses null, arrays and scalars as "must be an object"', () => {
    expect(refusal(() => pipe.transform(undefined, body(Quantity)))).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'quantity' })]),
    );
    for (const value of [null, [], [{ quantity: 1 }], 'text', 5]) {
      expect(refusal(() => pipe.transform(value, body(Quantity)))).toEqual([
        { field: 'body', message: 'must be an object' },
      ]);
    }
  });

  it('refuses a __proto__ key at any depth, and drops it on a tolerant reader', () => {
    const poisoned = JSON.parse('{"quantity": 1, "__proto__": {"admin": true}}') as object;
    expect(refusal(() => pipe.transform(poisoned, body(Quantity)))).toEqual([
      { field: '__proto__', message: 'property __proto__ should not exist' },
    ]);
    @TolerantReader()
    class Event {
      @IsString()
      type!: string;
    }
    const event = pipe.transform(
      JSON.parse('{"type": "x", "later": 1, "__proto__": {"admin": true}}') as object,
      body(Event),
    );
    expect(event).toEqual({ type: 'x' });
    expect(Object.getPrototypeOf(event)).toBe(Event.prototype);
  });

  it('passes arguments that are not DTOs as they are', () => {
    expect(pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).toBe('abc');
    const caller = { accountId: 'a' };
    expect(pipe.transform(caller, { type: 'custom', metatype: Object, data: undefined })).toBe(caller);
  });

  it('applies the rules of a class defined after rules were looked up, and those it inherits', () => {
    expect(refusal(() => pipe.transform({ quantity: 0 }, body(Quantity)))).toEqual([
      { field: 'quantity', message: 'must not be less than 1' },
    ]);
    class Named extends Quantity {
      @IsString()
      name!: string;
    }
    expect(refusal(() => pipe.transform({ quantity: 0, name: 5 }, body(Named)))).toEqual(
      expect.arrayContaining([
        { field: 'quantity', message: 'must not be less than 1' },
        { field: 'name', message: 'must be a string' },
      ]),
    );
    expect(pipe.transform({ quantity: 1, name: 'n' }, body(Named))).toBeInstanceOf(Named);
  });
});
