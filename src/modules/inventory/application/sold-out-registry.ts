/**
 * What every process knows about sold-out products: a hold on a product marked sold out is refused
 * without touching its row. A mark is set after the commit that left no unit available, and ended
 * by the commit of anything that returns units. Marks carry the product's stock version, so a mark
 * can never outlive a later restock. A registry that fails marks nothing: slower, never wrong.
 */
export interface SoldOutRegistry {
  isSoldOut(productId: string): Promise<boolean>;
  markSoldOut(productId: string, version: bigint): Promise<void>;
  restocked(productId: string, version: bigint): Promise<void>;
}
