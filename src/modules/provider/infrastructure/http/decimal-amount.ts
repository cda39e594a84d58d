/** Digits after the decimal point in a currency's minor unit (2 for EUR, 0 for JPY). */
export function minorUnitDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * Providers quote prices as decimals ("355.34" or 355.34); we keep integer minor units. The string
 * form is parsed digit by digit, never through floating-point arithmetic.
 */
export function decimalToMinor(value: string | number, currency: string): bigint {
  const text = typeof value === 'number' ? value.toFixed(minorUnitDigits(currency)) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal amount: ${String(value)}`);
  const digits = minorUnitDigits(currency);
  const fraction = (match[2] ?? '').padEnd(digits, '0');
  if (fraction.length > digits && /[^0]/.test(fraction.slice(digits))) {
    throw new RangeError(`${text} ${currency} has more decimals than the currency allows`);
  }
  return BigInt(match[1]) * 10n ** BigInt(digits) + BigInt(fraction.slice(0, digits) || '0');
}
