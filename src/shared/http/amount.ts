import { ValidateBy } from 'class-validator';
import { isIsoCurrency, MAX_AMOUNT } from '../domain/money';

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

/** A currency code of ISO 4217 in capitals (`USD`), not just any three letters. */
export const IsCurrency = () =>
  ValidateBy({
    name: 'isCurrency',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isIsoCurrency(value),
      defaultMessage: () => 'must be an ISO 4217 currency code in capitals (e.g. USD)',
    },
  });
