import { randomUUID } from 'crypto';
import { WebhookSignature } from '../../src/modules/payment/domain/webhook-signature';
import { createOrder, createProduct, placeHold } from './inventory-fixtures';
import { ADMIN_KEY, type TestApp } from './test-app';
import { bearer, type CustomerWallet, customerWithWallet } from './wallet-fixtures';

export interface OrderFixture extends CustomerWallet {
  productId: string;
  holdId: string;
  orderId: string;
  amount: number;
}

/** A customer with a funded wallet and a pending order for `quantity` units of a new product. */
export async function pendingOrder(
  t: TestApp,
  { balance = 10000, price = 1999, quantity = 2, stock = 10, currency = 'USD' } = {},
): Promise<OrderFixture> {
  const owner = await customerWithWallet(t, balance, currency);
  const product = await createProduct(t, stock, { price, currency });
  const hold = await placeHold(t, owner.customer.key, product.id, quantity).expect(201);
  const order = await createOrder(t, owner.customer.key, hold.body.id).expect(201);
  return {
    ...owner,
    productId: product.id,
    holdId: hold.body.id,
    orderId: order.body.id,
    amount: price * quantity,
  };
}

export function pay(
  t: TestApp,
  key: string,
  orderId: string,
  walletId: string,
  idempotencyKey: string = randomUUID(),
) {
  return t
    .http()
    .post(`/api/orders/${orderId}/pay`)
    .set(bearer(key))
    .set('Idempotency-Key', idempotencyKey)
    .send({ wallet_id: walletId });
}

/** The admin refunds an order: all that is left, or `body.amount` of it. */
export function refund(
  t: TestApp,
  orderId: string,
  body: Record<string, unknown> = {},
  idempotencyKey: string = randomUUID(),
) {
  return t
    .http()
    .post(`/api/orders/${orderId}/refund`)
    .set(bearer(ADMIN_KEY()))
    .set('Idempotency-Key', idempotencyKey)
    .send(body);
}

export interface WebhookOptions {
  id?: string;
  /** Seconds to shift the signed timestamp by. */
  skew?: number;
  secret?: string;
  signature?: string | null;
}

/** Sends a payment event signed as Standard Webhooks says, with the run's WEBHOOK_SECRET. */
export function sendWebhook(t: TestApp, event: Record<string, unknown>, options: WebhookOptions = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const ts = Math.floor(Date.now() / 1000) + (options.skew ?? 0);
  const body = JSON.stringify(event);
  const signer = new WebhookSignature(options.secret ?? (process.env.WEBHOOK_SECRET as string));
  const req = t
    .http()
    .post('/api/payments/webhook')
    .set('Content-Type', 'application/json')
    .set('webhook-id', id)
    .set('webhook-timestamp', String(ts));
  if (options.signature !== null)
    req.set('webhook-signature', options.signature ?? signer.sign(id, ts, body));
  return req.send(body);
}

export const succeeded = (data: Record<string, unknown>) => ({
  type: 'payment.succeeded',
  data: { payment_id: `pay_${randomUUID()}`, currency: 'USD', ...data },
});
export const failed = (data: Record<string, unknown>) => ({
  type: 'payment.failed',
  data: { payment_id: `pay_${randomUUID()}`, currency: 'USD', ...data },
});
