import { retryAfterMs } from './provider-http.client';
import { decimalToMinor } from './decimal-amount';

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and ignores the unreadable', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('decimalToMinor', () => {
  it('converts provider decimals to minor units without floating-point error', () => {
    expect(decimalToMinor('355.34', 'EUR')).toBe(35534n);
    expect(decimalToMinor(512.3, 'EUR')).toBe(51230n);
    expect(decimalToMinor(0.29, 'USD')).toBe(29n);
    expect(decimalToMinor('1200', 'JPY')).toBe(1200n);
    expect(decimalToMinor('10.500', 'EUR')).toBe(1050n);
  });

  it('rejects what is not an amount in that currency', () => {
    expect(() => decimalToMinor('12.345', 'EUR')).toThrow(RangeError);
    expect(() => decimalToMinor('-1.00', 'EUR')).toThrow(RangeError);
    expect(() => decimalToMinor('abc', 'EUR')).toThrow(RangeError);
  });
});
