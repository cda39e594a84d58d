import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

describe('wallet debits under concurrency (integration)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('60 concurrent debits of 300 on 10000: exactly 33 succeed, 27 get 422, balance 100', async () => {
    const { walletId, customer } = await customerWithWallet(t, 10000);
    const answers = await Promise.all(
      Array.from({ length: 60 }, () =>
        t
          .http()
          .post(`/api/wallets/${walletId}/debit`)
          .set(bearer(customer.key))
          .set('Idempotency-Key', randomUUID())
          .send({ amount: 300 }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(33);
    expect(statuses.filter((s) => s === 422)).toHaveLength(27);
    for (const r of answers.filter((a) => a.status === 422)) expect(r.body.code).toBe('insufficient_funds');

    const wallet = await t.http().get(`/api/wallets/${walletId}`).set(bearer(ADMIN_KEY())).expect(200);
    expect(wallet.body.balance).toBe(100);
    const [ledger] = await t.app.get(DataSource).query(
      `SELECT count(*) FILTER (WHERE type = 'debit')::int AS debits,
              sum(CASE type WHEN 'credit' THEN amount ELSE -amount END)::text AS sum
         FROM wallet_transactions WHERE wallet_id = $1`,
      [walletId],
    );
    expect(ledger).toEqual({ debits: 33, sum: '100' });

    // Each entry continues from the one before it: the balances form one unbroken chain.
    const chain: Array<{ balance_before: string; balance_after: string }> = await t.app.get(DataSource).query(
      `SELECT balance_before, balance_after FROM wallet_transactions WHERE wallet_id = $1
          ORDER BY created_at, id`,
      [walletId],
    );
    for (let i = 1; i < chain.length; i++) expect(chain[i].balance_before).toBe(chain[i - 1].balance_after);
  });
});
