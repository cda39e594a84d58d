import { domainError } from './domain-error';

/**
 * Money is an integer number of minor units. In the database it is `bigint`; in TypeScript it is a
 * `bigint` inside the domain and a JSON number at the API edge, where it is bounded to safe integers.
 */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

export class AmountTooLargeError extends domainError('amount_too_large', 'Amount too large') {
  constructor(unitPrice: bigint, quantity: number) {
    super(`${quantity} × ${unitPrice} is more than the largest amount, ${MAX_AMOUNT}`);
  }
}

/**
 * price × quantity, refused past MAX_AMOUNT: amounts are safe integers end to end (API, ledger,
 * balances), so no hold may reserve, and no order carry, a larger total.
 */
export function lineAmount(unitPrice: bigint, quantity: number): bigint {
  const amount = unitPrice * BigInt(quantity);
  if (amount > BigInt(MAX_AMOUNT)) throw new AmountTooLargeError(unitPrice, quantity);
  return amount;
}

/** For API responses: every stored amount is bounded by MAX_AMOUNT on the way in. */
export function toJsonAmount(value: bigint): number {
  if (value > BigInt(MAX_AMOUNT) || value < -BigInt(MAX_AMOUNT)) {
    throw new RangeError(`amount ${value} exceeds the safe integer range`);
  }
  return Number(value);
}

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

// The runtime's ICU data is the maintained ISO 4217 list: current codes, no test or placeholder codes (XTS, XXX).
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

export function isIsoCurrency(code: string): boolean {
  return CURRENCY_PATTERN.test(code) && ISO_4217.has(code);
}
