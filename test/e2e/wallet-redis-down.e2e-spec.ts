import { DataSource } from 'typeorm';
import { eventually } from '../support/inventory-fixtures';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/test-app';
import { bearer, credit, customerWithWallet } from '../support/wallet-fixtures';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRedis } = require('../../scripts/embedded-services');

/** The timers that keep this process from exiting (unref'd ones do not count). */
const liveTimers = async () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('wallet debits with Redis down (e2e)', () => {
  let t: TestApp;
  let redis: { url: string; stop: () => Promise<void> };
  let timersBefore: number;

  beforeAll(async () => {
    timersBefore = await liveTimers();
    redis = await startRedis();
    t = await createTestApp({ config: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
    // ioredis gives a socket to a server that is gone 2 s to close (its disconnect timer) and keeps
    // 1 s command timers of the refused commands: wait until no more timers are left than before the
    // app, so that this worker exits cleanly.
    await eventually(liveTimers, (n) => n <= timersBefore, 10_000);
  });

  it('still debits once per key, replays from PostgreSQL, and refuses a second effect', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    // A completed answer cached while Redis was up must not be needed once it is gone.
    await credit(t, walletId, 500, 'top-up-before');
    await redis.stop();

    const debit = (key: string, amount = 300) =>
      t
        .http()
        .post(`/api/wallets/${walletId}/debit`)
        .set(bearer(customer.key))
        .set('Idempotency-Key', key)
        .send({ amount });
    const first = await debit('down-1').expect(201);
    expect(first.body).toMatchObject({ balance_before: 1500, balance_after: 1200 });
    const again = await debit('down-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await debit('down-1', 301).expect(422)).body.code).toBe('idempotency_key_reused');

    const topUpAgain = await credit(t, walletId, 500, 'top-up-before');
    expect(topUpAgain.headers['idempotent-replayed']).toBe('true');

    const concurrent = await Promise.all(Array.from({ length: 10 }, () => debit('down-2', 100)));
    for (const r of concurrent) expect([201, 409]).toContain(r.status);

    const wallet = await t.http().get(`/api/wallets/${walletId}`).set(bearer(ADMIN_KEY())).expect(200);
    expect(wallet.body.balance).toBe(1100);
    const [{ n }] = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM wallet_transactions WHERE wallet_id = $1`, [walletId]);
    expect(n).toBe(4);
  });
});
