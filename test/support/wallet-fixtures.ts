import { randomUUID } from 'crypto';
import { ADMIN_KEY, createCustomer, type TestApp } from './test-app';

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export interface CustomerWallet {
  customer: { id: string; key: string };
  walletId: string;
}

/** A new customer with a wallet in `currency`, credited with `balance` by the admin. */
export async function customerWithWallet(
  t: TestApp,
  balance: number,
  currency = 'USD',
): Promise<CustomerWallet> {
  const customer = await createCustomer(t, 'Wallet owner');
  const created = await t
    .http()
    .post('/api/wallets')
    .set(bearer(customer.key))
    .send({ currency })
    .expect(201);
  const walletId = created.body.id as string;
  if (balance > 0) await credit(t, walletId, balance);
  return { customer, walletId };
}

export function debit(t: TestApp, walletId: string, key: string, amount: number, idempotencyKey: string) {
  return t
    .http()
    .post(`/api/wallets/${walletId}/debit`)
    .set(bearer(key))
    .set('Idempotency-Key', idempotencyKey)
    .send({ amount });
}

export function credit(t: TestApp, walletId: string, amount: number, key: string = randomUUID()) {
  return t
    .http()
    .post(`/api/wallets/${walletId}/credit`)
    .set(bearer(ADMIN_KEY()))
    .set('Idempotency-Key', key)
    .send({ amount })
    .expect(201);
}

/** POST /api/wallets/:id/authorizations with a fresh (or the given) Idempotency-Key. */
export function authorize(
  t: TestApp,
  walletId: string,
  key: string,
  body: Record<string, unknown>,
  idempotencyKey: string = randomUUID(),
) {
  return t
    .http()
    .post(`/api/wallets/${walletId}/authorizations`)
    .set(bearer(key))
    .set('Idempotency-Key', idempotencyKey)
    .send(body);
}

/** POST /api/authorizations/:id/capture (body `{ amount }` or `{}`) or /void. */
export function settleAuthorization(
  t: TestApp,
  id: string,
  key: string,
  action: 'capture' | 'void',
  body: Record<string, unknown> = {},
  idempotencyKey: string = randomUUID(),
) {
  return t
    .http()
    .post(`/api/authorizations/${id}/${action}`)
    .set(bearer(key))
    .set('Idempotency-Key', idempotencyKey)
    .send(body);
}
