import { DataSource } from 'typeorm';
import { ADMIN_KEY, type TestApp } from './test-app';

export interface ProductBody {
  id: string;
  total_stock: number;
  available_stock: number;
  reserved_stock: number;
  sold_stock: number;
  [field: string]: unknown;
}

export async function createProduct(
  t: TestApp,
  stock: number,
  overrides: Record<string, unknown> = {},
): Promise<ProductBody> {
  const res = await t
    .http()
    .post('/api/products')
    .set('Authorization', `Bearer ${ADMIN_KEY()}`)
    .send({ name: 'Flash sneakers', price: 1999, currency: 'USD', stock, ...overrides })
    .expect(201);
  return res.body;
}

export async function getProduct(t: TestApp, id: string): Promise<ProductBody> {
  return (await t.http().get(`/api/products/${id}`).expect(200)).body;
}

export function placeHold(t: TestApp, key: string, productId: string, quantity: number) {
  return t
    .http()
    .post('/api/holds')
    .set('Authorization', `Bearer ${key}`)
    .send({ product_id: productId, quantity });
}

export function createOrder(t: TestApp, key: string, holdId: string) {
  return t.http().post('/api/orders').set('Authorization', `Bearer ${key}`).send({ hold_id: holdId });
}

/** The stock counters as PostgreSQL has them, bypassing the cache. */
export async function stockInDb(t: TestApp, productId: string) {
  const [row] = await t.app
    .get(DataSource)
    .query('SELECT total_stock, available_stock, reserved_stock, sold_stock FROM products WHERE id = $1', [
      productId,
    ]);
  return row as Pick<ProductBody, 'total_stock' | 'available_stock' | 'reserved_stock' | 'sold_stock'>;
}

/** Polls until `check` passes or `timeoutMs` runs out; returns the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
