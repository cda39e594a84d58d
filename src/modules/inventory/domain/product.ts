import { InsufficientStockError } from './inventory.errors';

export const MAX_STOCK = 1_000_000;
export const MAX_PER_ACCOUNT = 1000;

/** Invariant: totalStock = availableStock + reservedStock + soldStock, each >= 0. */
export interface Product {
  id: string;
  name: string;
  price: bigint;
  currency: string;
  totalStock: number;
  availableStock: number;
  reservedStock: number;
  soldStock: number;
  /** The most units one account may have in active holds, pending and paid orders; null: no limit. */
  maxPerAccount: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export type StockCounters = Pick<Product, 'availableStock' | 'reservedStock' | 'soldStock'>;

/** Where units can go: a unit is always in exactly one of the three buckets. */
export type StockMove = 'reserve' | 'sell' | 'unreserve' | 'unsell';

const BUCKETS: Record<StockMove, [from: keyof StockCounters, to: keyof StockCounters]> = {
  reserve: ['availableStock', 'reservedStock'],
  sell: ['reservedStock', 'soldStock'],
  unreserve: ['reservedStock', 'availableStock'],
  unsell: ['soldStock', 'availableStock'],
};

/** The buckets a move takes units from and puts them in. */
export function bucketsOf(move: StockMove): [from: keyof StockCounters, to: keyof StockCounters] {
  return BUCKETS[move];
}

/** Whether a move makes units available again (and so ends a sold-out). */
export const returnsUnits = (move: StockMove): boolean => BUCKETS[move][1] === 'availableStock';

/** The counters after moving `quantity` units; never leaves a bucket negative. */
export function moveStock(counters: StockCounters, move: StockMove, quantity: number): StockCounters {
  if (!Number.isInteger(quantity) || quantity <= 0) {
    throw new RangeError(`quantity must be a positive integer, got ${quantity}`);
  }
  const [from, to] = BUCKETS[move];
  if (counters[from] < quantity) {
    if (move === 'reserve') throw new InsufficientStockError(quantity, counters.availableStock);
    // Any other shortfall means the books are wrong: refuse rather than corrupt them further.
    throw new Error(`cannot ${move} ${quantity} units: only ${counters[from]} in ${from}`);
  }
  return {
    availableStock: counters.availableStock,
    reservedStock: counters.reservedStock,
    soldStock: counters.soldStock,
    [from]: counters[from] - quantity,
    [to]: counters[to] + quantity,
  };
}
