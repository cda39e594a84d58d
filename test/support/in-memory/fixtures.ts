import { randomUUID } from 'crypto';
import type { Order, OrderStatus } from '../../../src/modules/order/domain/order';
import type { Product } from '../../../src/modules/inventory/domain/product';
import type { Caller } from '../../../src/shared/domain/caller';
import type { InMemoryDatabase } from './database';
import { seedHold, seedProduct } from './inventory';
import { seedOrder } from './order';

export const customer = (name = 'Alice'): Caller => ({ accountId: randomUUID(), name, role: 'customer' });
export const admin = (): Caller => ({ accountId: randomUUID(), name: 'admin', role: 'admin' });

/** A product's stock counters as tests state them, or null for no product. */
export const counters = (p: Pick<Product, 'availableStock' | 'reservedStock' | 'soldStock'> | null) =>
  p && { available: p.availableStock, reserved: p.reservedStock, sold: p.soldStock };

/**
 * An order of `quantity` units made from a consumed hold, the product's counters as that order's
 * status leaves them: reserved while pending, sold once paid, available again when cancelled or
 * refunded.
 */
export function seedPlacedOrder(
  db: InMemoryDatabase,
  accountId: string,
  options: Partial<Order> & { stock?: number } = {},
): { product: Product; order: Order } {
  const { stock = 10, ...overrides } = options;
  const quantity = overrides.quantity ?? 2;
  const unitPrice = overrides.unitPrice ?? 1500n;
  const status: OrderStatus = overrides.status ?? 'pending_payment';
  const held = status === 'pending_payment' ? quantity : 0;
  const sold = status === 'paid' || status === 'partially_refunded' ? quantity : 0;
  const product = seedProduct(db, {
    price: unitPrice,
    totalStock: stock,
    availableStock: stock - held - sold,
    reservedStock: held,
    soldStock: sold,
  });
  const hold = seedHold(db, { productId: product.id, accountId, quantity, status: 'consumed' });
  const order = seedOrder(db, {
    accountId,
    holdId: hold.id,
    productId: product.id,
    currency: product.currency,
    ...overrides,
    quantity,
    unitPrice,
  });
  return { product, order };
}
