import { AmountTooLargeError, lineAmount } from './money';

describe('lineAmount (a hold or an order: unit price × quantity)', () => {
  it('may reach 9007199254740991 and not pass it', () => {
    expect(lineAmount(1999n, 3)).toBe(5997n);
    expect(lineAmount(9007199254740991n, 1)).toBe(9007199254740991n);
    expect(lineAmount(3002399751580330n, 3)).toBe(9007199254740990n);
    expect(() => lineAmount(9007199254740991n, 2)).toThrow(AmountTooLargeError);
    expect(() => lineAmount(4503599627370496n, 2)).toThrow(AmountTooLargeError);
    expect(() => lineAmount(9007199254740991n, 1000)).toThrow(AmountTooLargeError);
  });
});
