import 'reflect-metadata';
import { Exclude, Expose, plainToInstance, Transform, TransformationType, Type } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  getMetadataStorage,
  IS_UUID,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Min,
  ValidationTypes,
  validateSync,
} from 'class-validator';
import { CreateAccountRequest } from '../../modules/account/api/dto/create-account.request';
import { CreateBookingRequest } from '../../modules/booking/api/dto/create-booking.request';
import { CreateHoldRequest } from '../../modules/inventory/api/dto/create-hold.request';
import { CreateProductRequest } from '../../modules/inventory/api/dto/create-product.request';
import { CreateOrderRequest } from '../../modules/order/api/dto/create-order.request';
import { ListPaymentsQuery, ResolvePaymentRequest } from '../../modules/payment/api/dto/admin-payment.dto';
import { PayOrderRequest } from '../../modules/payment/api/dto/pay-order.request';
import { PaymentWebhookRequest } from '../../modules/payment/api/dto/payment-webhook.request';
import { RefundOrderRequest } from '../../modules/payment/api/dto/refund-order.request';
import { FlightOffersQuery, HotelOffersQuery } from '../../modules/provider/api/dto/offer-search.query';
import { CreateTransferRequest } from '../../modules/wallet/api/dto/create-transfer.request';
import { CreateWalletRequest, ListWalletsQuery } from '../../modules/wallet/api/dto/create-wallet.request';
import { MoveMoneyRequest } from '../../modules/wallet/api/dto/move-money.request';
import { PaginationQuery } from './pagination';
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

describe('UUIDs', () => {
  const id = '0190C0DE-7B1A-7CC3-9A2B-3C4D5E6F7A8B';

  it('come out of a body or query in lower case, at any depth, on the fast check and the full path alike', () => {
    expect(pipe.transform({ product_id: id, quantity: 1 }, body(CreateHoldRequest))).toMatchObject({
      product_id: id.toLowerCase(),
    });
    expect(
      pipe.transform(
        { account_id: id, limit: '5' },
        { type: 'query', metatype: ListWalletsQuery, data: undefined },
      ),
    ).toMatchObject({ account_id: id.toLowerCase(), limit: 5 });
    const webhook = pipe.transform(
      { type: 'payment.succeeded', data: { payment_id: 'pay_1', order_id: id, amount: 1, currency: 'USD' } },
      body(PaymentWebhookRequest),
    ) as PaymentWebhookRequest;
    expect(webhook.data.order_id).toBe(id.toLowerCase());
  });
});

describe('the fast check of a valid body', () => {
  // Every body and query DTO of the API: the pipe must accept exactly what plainToInstance and
  // validateSync accept, and make the same DTO of it.
  const dtos: Array<[new () => object, 'body' | 'query']> = [
    [CreateAccountRequest, 'body'],
    [CreateBookingRequest, 'body'],
    [CreateHoldRequest, 'body'],
    [CreateOrderRequest, 'body'],
    [CreateProductRequest, 'body'],
    [CreateTransferRequest, 'body'],
    [CreateWalletRequest, 'body'],
    [MoveMoneyRequest, 'body'],
    [PayOrderRequest, 'body'],
    [PaymentWebhookRequest, 'body'],
    [RefundOrderRequest, 'body'],
    [ResolvePaymentRequest, 'body'],
    [FlightOffersQuery, 'query'],
    [HotelOffersQuery, 'query'],
    [ListPaymentsQuery, 'query'],
    [ListWalletsQuery, 'query'],
    [PaginationQuery, 'query'],
  ];
  const uuid = '0b1c6f9e-5f0e-4a8e-9a39-1b7c7f1d2e3a';
  const pool: unknown[] = [
    uuid,
    'USD',
    'usd',
    'EUR',
    'x',
    '',
    ' ',
    'a'.repeat(300),
    'bad\u0000text',
    '1',
    '50',
    '101',
    '-1',
    '1.5',
    '2027-03-01',
    '2027-03-05',
    'PAR',
    'NYC',
    'flight',
    'hotel',
    'Ada',
    'ada@example.com',
    0,
    1,
    2,
    100,
    -1,
    1.5,
    1e15,
    Number.MAX_SAFE_INTEGER + 1,
    true,
    false,
    null,
    [],
    ['x'],
    [1, 2],
    {},
    { a: 1 },
  ];
  const tolerant = (type: object) => Reflect.getMetadata('validation:tolerant-reader', type) === true;
  const STRICT = {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
  };

  /** What the pipe did before the fast check: the reference. */
  const reference = (type: new () => object, input: object) => {
    const dto = plainToInstance(type, structuredClone(input), { enableImplicitConversion: false });
    const errors = validateSync(dto, { ...STRICT, forbidNonWhitelisted: !tolerant(type) });
    return errors.length > 0 ? { fields: errors.map((e) => e.property).sort() } : { dto };
  };
  const actual = (type: new () => object, input: object, kind: 'body' | 'query') => {
    try {
      return { dto: pipe.transform(structuredClone(input), { type: kind, metatype: type, data: undefined }) };
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      return { fields: [...new Set(error.errors.map((e) => e.field.split('.')[0]))].sort() };
    }
  };

  it.each(dtos.map(([type, kind]) => [type.name, type, kind] as const))(
    '%s: accepts and refuses what validateSync does, and makes the same DTO',
    (_name, type, kind) => {
      const properties = Object.keys(
        getMetadataStorage().groupByPropertyName(
          getMetadataStorage().getTargetValidationMetadatas(
            type,
            undefined as unknown as string,
            false,
            false,
          ),
        ),
      );
      const values = kind === 'query' ? pool.map(String) : pool;
      // The values each property accepts alone, so that whole valid bodies are common in the corpus.
      const fitting = new Map(
        properties.map((property) => {
          const fit = values.filter((value) => {
            const outcome = reference(type, { [property]: value });
            return !outcome.fields?.includes(property);
          });
          return [property, fit.length > 0 ? fit : values];
        }),
      );
      let seed = 42;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
      let accepted = 0;
      for (let i = 0; i < 1000; i++) {
        const input: Record<string, unknown> = {};
        for (const property of properties) {
          if (random() < 0.9) input[property] = pick(random() < 0.8 ? fitting.get(property)! : values);
        }
        if (random() < 0.05) input[pick(['extra', 'toString', 'valueOf'])] = pick(values);
        const expected = reference(type, input);
        const got = actual(type, input, kind);
        expect({ input, got }).toEqual({ input, got: expected });
        if (got.dto) {
          expect(Object.getPrototypeOf(got.dto)).toBe(type.prototype);
          accepted++;
        }
      }
      // The corpus reaches both outcomes for every DTO but those whose valid bodies it cannot spell.
      if (type !== CreateBookingRequest && type !== PaymentWebhookRequest)
        expect(accepted).toBeGreaterThan(0);
    },
  );
});

/**
 * The shortcut reads class-validator's and class-transformer's internals, which no semantic version
 * promises: the rule lookup it memoizes, the registration it listens to, the shapes of rules and
 * constraints it interprets. Each is pinned here, so that an upgrade that moves one fails this test
 * rather than making the pipe disagree with validateSync on some body.
 */
describe('what the validation shortcut relies on in class-validator and class-transformer', () => {
  const storage = getMetadataStorage() as unknown as Record<string, unknown> & {
    getTargetValidationMetadatas: ((...args: unknown[]) => unknown[]) & { memoized?: true };
  };

  it('looks rules up through the storage object, where the memo sits, and registers them through it', () => {
    // createValidationPipe (above) has put the memo in place.
    expect(storage.getTargetValidationMetadatas.memoized).toBe(true);
    const lookups = jest.spyOn(storage, 'getTargetValidationMetadatas');
    const added = jest.spyOn(storage, 'addValidationMetadata' as never);
    try {
      class Later {
        @IsInt()
        n!: number;
      }
      expect(added).toHaveBeenCalledTimes(1);
      expect(validateSync(Object.assign(new Later(), { n: 'x' }))).toHaveLength(1);
      expect(lookups).toHaveBeenCalledWith(Later, undefined, false, false, undefined);
    } finally {
      lookups.mockRestore();
      added.mockRestore();
    }
  });

  it('finds the rule types, names and fields it interprets where it reads them', () => {
    // Compared by identity in the shortcut: each must still exist, and be told apart.
    const types = [
      ValidationTypes.WHITELIST,
      ValidationTypes.CONDITIONAL_VALIDATION,
      ValidationTypes.CUSTOM_VALIDATION,
      ValidationTypes.IS_DEFINED,
      ValidationTypes.NESTED_VALIDATION,
    ];
    expect(types.every((type) => typeof type === 'string')).toBe(true);
    expect(new Set(types).size).toBe(types.length);
    class Shapes {
      @IsOptional()
      @IsUUID('all', { each: true })
      ids?: string[];

      @IsDefined()
      @IsString()
      name!: string;
    }
    const rules = getMetadataStorage().getTargetValidationMetadatas(
      Shapes,
      undefined as unknown as string,
      false,
      false,
    );
    const grouped = getMetadataStorage().groupByPropertyName(rules);
    expect(Object.keys(grouped).sort()).toEqual(['ids', 'name']);
    const [optional] = grouped.ids.filter((r) => r.type === ValidationTypes.CONDITIONAL_VALIDATION);
    expect(typeof optional.constraints[0]).toBe('function');
    expect((optional.constraints[0] as (o: object, v: unknown) => boolean)({}, undefined)).toBe(false);
    const [uuid] = grouped.ids.filter((r) => r.name === IS_UUID);
    expect(uuid).toMatchObject({ type: ValidationTypes.CUSTOM_VALIDATION, each: true, propertyName: 'ids' });
    expect(grouped.name.map((r) => r.type).sort()).toEqual([
      ValidationTypes.CUSTOM_VALIDATION,
      ValidationTypes.IS_DEFINED,
    ]);
    // A rule's constraint class names the validators that check it, synchronous ones with `validate`.
    const [validator] = getMetadataStorage().getTargetValidatorConstraints(uuid.constraintCls);
    expect(validator.async).toBe(false);
    const args = {
      targetName: 'Shapes',
      property: 'ids',
      object: {},
      value: 'x',
      constraints: uuid.constraints,
    };
    expect(validator.instance.validate('0b1c6f9e-5f0e-4a8e-9a39-1b7c7f1d2e3a', args)).toBe(true);
    expect(validator.instance.validate('x', args)).toBe(false);
  });

  it("reads class-transformer's registry of @Type, @Transform, @Expose and @Exclude", () => {
    class Transformed {
      @Type(() => Number)
      @Transform(({ value }) => value)
      n!: number;

      @Expose()
      shown!: string;

      @Exclude()
      hidden!: string;
    }
    expect(defaultMetadataStorage.getStrategy(Transformed)).toBe('none');
    expect(defaultMetadataStorage.getExposedMetadatas(Transformed)).toHaveLength(1);
    expect(defaultMetadataStorage.getExcludedMetadatas(Transformed)).toHaveLength(1);
    expect(defaultMetadataStorage.findTypeMetadata(Transformed, 'n')).toBeInstanceOf(Object);
    expect(
      defaultMetadataStorage.findTransformMetadatas(Transformed, 'n', TransformationType.PLAIN_TO_CLASS),
    ).toHaveLength(1);
  });
});
