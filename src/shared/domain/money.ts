/**
 * Money is an integer number of minor units. In the database it is `bigint`; in TypeScript it is a
 * `bigint` inside the domain and a JSON number at the API edge, where it is bounded to safe integers.
 */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

/** For API responses: every stored amount is bounded by MAX_AMOUNT on the way in. */
export function toJsonAmount(value: bigint): number {
  if (value > BigInt(MAX_AMOUNT) || value < -BigInt(MAX_AMOUNT)) {
    throw new RangeError(`amount ${value} exceeds the safe integer range`);
  }
  return Number(value);
}

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
