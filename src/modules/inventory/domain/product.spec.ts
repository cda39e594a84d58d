import { InsufficientStockError } from './inventory.errors';
import { moveStock, type StockCounters } from './product';

const stock: StockCounters = { availableStock: 5, reservedStock: 3, soldStock: 2 };
const total = (c: StockCounters) => c.availableStock + c.reservedStock + c.soldStock;

describe('stock moves', () => {
  it('moves units between buckets and keeps the total', () => {
    expect(moveStock(stock, 'reserve', 5)).toEqual({ availableStock: 0, reservedStock: 8, soldStock: 2 });
    expect(moveStock(stock, 'sell', 3)).toEqual({ availableStock: 5, reservedStock: 0, soldStock: 5 });
    expect(moveStock(stock, 'unreserve', 1)).toEqual({ availableStock: 6, reservedStock: 2, soldStock: 2 });
    expect(moveStock(stock, 'unsell', 2)).toEqual({ availableStock: 7, reservedStock: 3, soldStock: 0 });
    for (const move of ['reserve', 'sell', 'unreserve', 'unsell'] as const) {
      expect(total(moveStock(stock, move, 1))).toBe(total(stock));
    }
  });

  it('refuses to reserve more than is available', () => {
    expect(() => moveStock(stock, 'reserve', 6)).toThrow(InsufficientStockError);
  });

  it('refuses any move that would leave a bucket negative or is not a positive integer', () => {
    expect(() => moveStock(stock, 'sell', 4)).toThrow(/only 3/);
    expect(() => moveStock(stock, 'unsell', 3)).toThrow(/only 2/);
    expect(() => moveStock(stock, 'reserve', 0)).toThrow(RangeError);
    expect(() => moveStock(stock, 'reserve', 1.5)).toThrow(RangeError);
  });
});
