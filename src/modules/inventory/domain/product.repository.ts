import type { Cursor } from '../../../shared/domain/cursor';
import type { Hold } from './hold';
import type { Product, StockCounters } from './product';

/** A product read under its row lock, with the stock version its next change will raise. */
export type LockedProduct = Product & { stockVersion: bigint };

/** Storage of products; methods that take `tx` run inside the caller's transaction. */
export interface ProductRepository<Tx> {
  insert(tx: Tx, product: Product): Promise<void>;
  /** A committed snapshot, outside any transaction unless `tx` is given. */
  findById(id: string, tx?: Tx): Promise<Product | null>;
  lockById(tx: Tx, id: string): Promise<LockedProduct | null>;
  /** Writes the counters that changed and returns the product's new stock version. */
  updateCounters(tx: Tx, id: string, changed: Partial<StockCounters>, at: Date): Promise<bigint>;
  /**
   * Units reserved by new holds: the counters and every hold in one statement, which also carries
   * the side-writes queued on the transaction. Returns the product's new stock version.
   */
  reserveForHolds(
    tx: Tx,
    productId: string,
    counters: Pick<StockCounters, 'availableStock' | 'reservedStock'>,
    holds: Hold[],
    at: Date,
  ): Promise<bigint>;
  /**
   * The units each of `accountIds` has of the product in holds still active at `now`, pending orders
   * and paid (or partially refunded) orders: what a purchase limit counts. Accounts with none are absent.
   */
  unitsByAccount(tx: Tx, productId: string, accountIds: string[], now: Date): Promise<Map<string, number>>;
  /** Newest first, `limit + 1` rows so that the caller knows whether another page exists. */
  listPage(limit: number, after?: Cursor): Promise<Product[]>;
}
