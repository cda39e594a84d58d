import { ValidateBy } from 'class-validator';
import { MAX_AMOUNT } from '../domain/money';

/** A JSON number of minor units, 1 .. 9007199254740991: not a string, a fraction or a larger number. */
export const IsAmount = () =>
  ValidateBy({
    name: 'isAmount',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_AMOUNT,
      defaultMessage: () => `must be an integer number of minor units from 1 to ${MAX_AMOUNT}`,
    },
  });
