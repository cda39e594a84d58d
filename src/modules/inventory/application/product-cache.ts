import type { EntityManager } from 'typeorm';
import type { Product } from '../domain/product';

/**
 * Read-through cache of single products. Every stock change deletes its entry once the transaction
 * that made it has committed, and that transaction waits for it: a client reading right after its
 * own write never sees the entry from before it. A cache that fails answers nothing.
 */
export interface ProductCache {
  get(id: string): Promise<Product | null>;
  set(product: Product): Promise<void>;
  /** Deletes the product's entry after `em`'s transaction commits; nothing if it rolls back. */
  invalidateAfterCommit(em: EntityManager, productId: string): void;
}
