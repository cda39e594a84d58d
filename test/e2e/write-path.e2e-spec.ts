import { randomUUID } from 'crypto';
import { execFileSync, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { PlaceHoldService } from '../../src/modules/inventory/application/place-hold.service';
import { runMigrations } from '../../src/shared/database/migrate';
import { createOrder, createProduct, eventually, placeHold, stockInDb } from '../support/inventory-fixtures';
import { pay, pendingOrder, refund } from '../support/payment-fixtures';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { bearer, credit, customerWithWallet, debit as debitAs } from '../support/wallet-fixtures';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { freePort, restartablePort, startPostgres } = require('../../scripts/embedded-services');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection of the test's own, beside the app's pool. */
async function connect(url = process.env.DATABASE_URL as string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** The backend of another connection of this database that waits for a lock. */
async function waitingBackend(admin: Client, except: number[]): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const rows: Array<{ pid: number }> = (
      await admin.query(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND NOT (pid = ANY($1))`,
        [except],
      )
    ).rows;
    if (rows.length > 0) return rows[0].pid;
    await sleep(10);
  }
  throw new Error('no request is waiting for the lock');
}

describe('the write path (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const balanceOf = async (walletId: string) =>
    (await t.http().get(`/api/wallets/${walletId}`).set(bearer(ADMIN_KEY())).expect(200)).body.balance;
  const debit = (walletId: string, key: string, amount: number, idempotencyKey: string) =>
    debitAs(t, walletId, key, amount, idempotencyKey);

  it('a request killed between its claim and its commit leaves its key free: the retry runs at once, once', async () => {
    const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 2 });
    const admin = await connect();
    const locker = await connect();
    try {
      const lockerPid = (await locker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const adminPid = (await admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [f.orderId]);

      const key = randomUUID();
      const inflight = pay(t, f.customer.key, f.orderId, f.walletId, key).then((r) => r);
      // The payment has claimed its key in its transaction and now waits for the order's row lock.
      const pid = await waitingBackend(admin, [lockerPid, adminPid]);
      const claimed = await admin.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND relation = 'idempotency_keys'::regclass`,
        [pid],
      );
      expect(claimed.rows[0].n).toBeGreaterThan(0);
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const killed = await inflight;
      expect(killed.status).toBeGreaterThanOrEqual(500);
      await locker.query('ROLLBACK');

      const retried = await pay(t, f.customer.key, f.orderId, f.walletId, key).expect(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      expect(retried.body.status).toBe('paid');
      const replayed = await pay(t, f.customer.key, f.orderId, f.walletId, key).expect(200);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(replayed.body).toEqual(retried.body);
      expect(await balanceOf(f.walletId)).toBe(8000);
      const [{ debits }] = await t.app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS debits FROM wallet_transactions WHERE wallet_id = $1 AND type = 'debit'`,
          [f.walletId],
        );
      expect(debits).toBe(1);
    } finally {
      await locker.end();
      await admin.end();
    }
  });

  it('client keys shaped like internal references block neither the payment nor the refund', async () => {
    const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 1 });
    await debit(f.walletId, f.customer.key, 100, `order-payment:${f.orderId}`).expect(201);
    await t
      .http()
      .post(`/api/wallets/${f.walletId}/credit`)
      .set(bearer(ADMIN_KEY()))
      .set('Idempotency-Key', `order-refund:${f.orderId}`)
      .send({ amount: 100 })
      .expect(201);
    expect((await pay(t, f.customer.key, f.orderId, f.walletId).expect(200)).body.status).toBe('paid');
    const refunded = await refund(t, f.orderId).expect(200);
    expect(refunded.body.status).toBe('refunded');
    expect(await balanceOf(f.walletId)).toBe(10000);
  });

  it('lists a wallet newest first, in the order its movements were made, also within one batch', async () => {
    const { walletId, customer } = await customerWithWallet(t, 1000);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => debit(walletId, customer.key, 10, `order-${i}`).expect(201)),
    );
    // Batched requests share a commit and a created_at: the ledger still lists them as made.
    expect(new Set(answers.map((a) => a.body.created_at)).size).toBeLessThan(30);
    const page = await t
      .http()
      .get(`/api/wallets/${walletId}/transactions?limit=31`)
      .set(bearer(customer.key))
      .expect(200);
    const balances = page.body.data.map((e: { balance_after: number }) => e.balance_after);
    expect(balances).toEqual(Array.from({ length: 31 }, (_, i) => 700 + 10 * i));
  });

  it('1000 concurrent holds of 1 on stock 100: exactly 100 granted, 900 insufficient_stock, 0/100/0', async () => {
    const product = await createProduct(t, 100);
    const buyers = await Promise.all(Array.from({ length: 20 }, (_, i) => createCustomer(t, `buyer ${i}`)));
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => placeHold(t, buyers[i % buyers.length].key, product.id, 1)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    expect(statuses.filter((s) => s === 409)).toHaveLength(900);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.code).toBe('insufficient_stock');
    expect(await stockInDb(t, product.id)).toEqual({
      total_stock: 100,
      available_stock: 0,
      reserved_stock: 100,
      sold_stock: 0,
    });
    const [{ held }] = await t.app
      .get(DataSource)
      .query(
        `SELECT coalesce(sum(quantity), 0)::int AS held FROM holds WHERE product_id = $1 AND status = 'active'`,
        [product.id],
      );
    expect(held).toBe(100);
  });

  it('a batch decides in arrival order, and a refused request does not fail the others', async () => {
    const product = await createProduct(t, 6);
    const buyer = await createCustomer(t, 'batch buyer');
    const service = t.app.get(PlaceHoldService);
    // The first goes alone at once (5 left); the next three arrive while it runs and share one batch:
    // 3 is granted (2 left), 4 is refused, 2 is granted (0 left). Decided in another order, 4 would win.
    const settled = await Promise.allSettled(
      [1, 3, 4, 2].map((quantity) =>
        service.execute(
          { accountId: buyer.id, name: 'batch buyer', role: 'customer' },
          product.id,
          quantity,
          undefined,
        ),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'insufficient_stock' });
    const [, second, , fourth] = settled as Array<PromiseFulfilledResult<{ createdAt: Date }>>;
    expect(fourth.value.createdAt).toEqual(second.value.createdAt);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 0, reserved_stock: 6 });
  });

  it('mixed quantities from many buyers never oversell', async () => {
    const product = await createProduct(t, 50);
    const buyers = await Promise.all(Array.from({ length: 10 }, (_, i) => createCustomer(t, `mixed ${i}`)));
    const quantities = Array.from({ length: 120 }, (_, i) => 1 + (i % 4));
    const results = await Promise.all(
      quantities.map((q, i) => placeHold(t, buyers[i % buyers.length].key, product.id, q)),
    );
    const granted = results.reduce((sum, r, i) => sum + (r.status === 201 ? quantities[i] : 0), 0);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(granted).toBeLessThanOrEqual(50);
    // Refusals happen only when what was asked no longer fits: the stock ends below the smallest ask.
    const stock = await stockInDb(t, product.id);
    expect(stock.reserved_stock).toBe(granted);
    expect(stock.available_stock).toBe(50 - granted);
    expect(stock.available_stock).toBeLessThan(1);
  });

  it('sold-out refusals stop at the commit that returns units: the first requests after a release take it', async () => {
    const product = await createProduct(t, 10);
    const seller = await createCustomer(t, 'first buyer');
    const holds = await Promise.all(
      Array.from({ length: 10 }, () => placeHold(t, seller.key, product.id, 1).expect(201)),
    );
    const buyers = await Promise.all(Array.from({ length: 8 }, (_, i) => createCustomer(t, `late ${i}`)));
    const wave = (count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, i) => placeHold(t, buyers[i % buyers.length].key, product.id, 1)),
      );
    // Sold out: refused, and known to be sold out from here on.
    const refused = await wave(64);
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(Array(64).fill([409, 'insufficient_stock']));

    await t.http().delete(`/api/holds/${holds[0].body.id}`).set(bearer(seller.key)).expect(200);
    // Every request of this wave starts after the release committed: one of them gets the unit.
    const after = await wave(8);
    expect(after.filter((r) => r.status === 201)).toHaveLength(1);
    expect(after.filter((r) => r.status === 409 && r.body.code === 'insufficient_stock')).toHaveLength(7);
    expect(await stockInDb(t, product.id)).toMatchObject({
      available_stock: 0,
      reserved_stock: 10,
      sold_stock: 0,
    });
  });

  it('a unit released while 64 clients are being refused is taken by exactly one of them', async () => {
    const product = await createProduct(t, 10);
    const seller = await createCustomer(t, 'first buyer');
    const holds = await Promise.all(
      Array.from({ length: 10 }, () => placeHold(t, seller.key, product.id, 1).expect(201)),
    );
    const buyers = await Promise.all(Array.from({ length: 8 }, (_, i) => createCustomer(t, `late ${i}`)));
    const won: string[] = [];
    let refused = 0;
    const refusedClients = new Set<number>();
    // Each asks again until the unit is taken; a unit never taken is a hang, which jest's timeout ends.
    const client = async (i: number, key: string) => {
      while (won.length === 0) {
        const res = await placeHold(t, key, product.id, 1);
        if (res.status === 201) won.push(res.body.id);
        else {
          expect(res.body.code).toBe('insufficient_stock');
          refused += 1;
          refusedClients.add(i);
        }
      }
    };
    const clients = Array.from({ length: 64 }, (_, i) => client(i, buyers[i % buyers.length].key));
    // The release lands when every client has been refused at least once and is asking again.
    const refusedOnce = await eventually(
      async () => refusedClients.size,
      (n) => n === 64,
      10_000,
    );
    expect(refusedOnce).toBe(64);
    await t.http().delete(`/api/holds/${holds[0].body.id}`).set(bearer(seller.key)).expect(200);
    await Promise.all(clients);
    expect(refused).toBeGreaterThan(64);
    expect(won).toHaveLength(1);
    expect(await stockInDb(t, product.id)).toMatchObject({ available_stock: 0, reserved_stock: 10 });
  });

  it('an order from a hold of the batch path is made once, and paying it moves reserved to sold', async () => {
    const f = await pendingOrder(t, { balance: 5000, price: 500, quantity: 3, stock: 3 });
    expect(await stockInDb(t, f.productId)).toMatchObject({ available_stock: 0, reserved_stock: 3 });
    expect((await createOrder(t, f.customer.key, f.holdId)).status).toBe(409);
    await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
    expect(await stockInDb(t, f.productId)).toMatchObject({
      available_stock: 0,
      reserved_stock: 0,
      sold_stock: 3,
    });
  });
});

/** Three `ROLE=api` processes of the service, built from the sources, on the run's database and Redis. */
async function apiProcesses(count: number): Promise<{ bases: string[]; stop: () => Promise<void> }> {
  const root = join(__dirname, '..', '..');
  // A direct child of the project, as dist/ is, so that the build finds public/ where dist does.
  const out = mkdtempSync(join(root, '.build-test-'));
  const stops: Array<() => Promise<void>> = [async () => rmSync(out, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
      {
        cwd: root,
      },
    );
    const bases: string[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const child = spawn(process.execPath, [join(out, 'src', 'main.js')], {
        env: { ...process.env, ROLE: 'api', PORT: String(port), LOG_LEVEL: 'silent' },
        stdio: 'ignore',
      });
      stops.push(
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      );
      bases.push(`http://127.0.0.1:${port}`);
    }
    for (const base of bases) {
      for (let tries = 0; ; tries++) {
        const up = await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        if (tries > 300) throw new Error(`${base} did not start`);
        await sleep(100);
      }
    }
    return { bases, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe('the write path across API processes (e2e)', () => {
  let t: TestApp;
  let api: { bases: string[]; stop: () => Promise<void> };

  beforeAll(async () => {
    t = await createTestApp();
    api = await apiProcesses(3);
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await t?.close();
  });

  it('200 concurrent debits of 300 on 45000 across three processes: 150 debited, 50 refused, balance 0', async () => {
    const { walletId, customer } = await customerWithWallet(t, 0);
    await credit(t, walletId, 45000);
    // As a client does: a 503 (the wallet's lock not had in time on a loaded machine) is sent
    // again with its Idempotency-Key after Retry-After; every other answer is final.
    const debitThrough = async (base: string, i: number) => {
      for (let attempt = 1; ; attempt++) {
        const r = await fetch(`${base}/api/wallets/${walletId}/debit`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${customer.key}`,
            'idempotency-key': `multi-${i}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ amount: 300 }),
        });
        const answer = {
          status: r.status,
          replayed: r.headers.get('idempotent-replayed'),
          body: (await r.json()) as Record<string, unknown>,
        };
        const retryAfter = Number(r.headers.get('retry-after'));
        if (r.status !== 503 || !(retryAfter > 0) || attempt === 5) return answer;
        await sleep(retryAfter * 1000);
      }
    };
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => debitThrough(api.bases[i % 3], i)),
    );
    const statuses: Record<string, number> = {};
    for (const r of results) {
      const key =
        r.status === 201 || r.status === 422 ? String(r.status) : `${r.status} ${String(r.body.code)}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    expect(statuses).toEqual({ 201: 150, 422: 50 });
    const wallet = await t.http().get(`/api/wallets/${walletId}`).set(bearer(customer.key)).expect(200);
    expect(wallet.body.balance).toBe(0);
    const [{ sum, n }] = await t.app.get(DataSource).query(
      `SELECT (sum(CASE type WHEN 'credit' THEN amount ELSE -amount END))::bigint::int AS sum, count(*)::int AS n
           FROM wallet_transactions WHERE wallet_id = $1`,
      [walletId],
    );
    expect({ sum, n }).toEqual({ sum: 0, n: 151 });
    // Every answer replays identically from another process; a replayed refusal says so in its body.
    const replays = await Promise.all(results.map((_, i) => debitThrough(api.bases[(i + 1) % 3], i)));
    replays.forEach((replay, i) => {
      expect(replay.status).toBe(results[i].status);
      expect(replay.replayed).toBe('true');
      const marks =
        replay.status === 201 ? {} : { replayed: true, original_request_id: results[i].body.request_id };
      expect({ ...replay.body, request_id: undefined }).toEqual({
        ...results[i].body,
        ...marks,
        request_id: undefined,
      });
    });
  });
});

describe('the write path when PostgreSQL restarts (e2e)', () => {
  // A server of the test's own, so that it can be stopped and started again: a real restart.
  const dir = join(mkdtempSync(join(tmpdir(), 'cw-restart-pg-')), 'data');
  const database = 'restart';
  let port: number;
  let pg: { url: string; stop: () => Promise<void> };
  let t: TestApp;

  beforeAll(async () => {
    port = await restartablePort();
    pg = await startPostgres({ dir, database, port });
    await runMigrations(pg.url);
    t = await createTestApp({ config: { DATABASE_URL: pg.url, REQUEST_TIMEOUT_MS: 2000 } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await pg?.stop();
  });

  it('40 clients retrying their debits through a restart are each charged exactly once', async () => {
    const { walletId, customer } = await customerWithWallet(t, 10000);
    const outcomes = new Map<number, { status: number; replayed: boolean; id?: string }>();
    let refused = 0;
    const client = async (i: number) => {
      const key = `restart-${i}`;
      for (;;) {
        const res = await t
          .http()
          .post(`/api/wallets/${walletId}/debit`)
          .set(bearer(customer.key))
          .set('Idempotency-Key', key)
          .send({ amount: 100 })
          .catch(() => null);
        if (res && res.status === 201) {
          outcomes.set(i, {
            status: 201,
            replayed: res.headers['idempotent-replayed'] === 'true',
            id: res.body.id,
          });
          return;
        }
        refused++;
        await sleep(250);
      }
    };
    const restart = (async () => {
      // Stopped (fast shutdown: every connection dropped, none accepted) and started again on the
      // same data and port; the second start's cluster is deleted when the test stops it.
      await pg.stop();
      // Down until the clients have met it: a request refused or dropped.
      await eventually(
        async () => refused,
        (n) => n > 0,
        10_000,
      );
      pg = await startPostgres({ dir, database, port, temporary: true });
    })();
    await Promise.all([restart, ...Array.from({ length: 40 }, (_, i) => client(i))]);
    expect(outcomes.size).toBe(40);
    // The restart met them: requests in flight died with their transactions, later ones were refused.
    expect(refused).toBeGreaterThan(0);
    const [{ debits, balance }] = await t.app.get(DataSource).query(
      `SELECT (SELECT count(*)::int FROM wallet_transactions WHERE wallet_id = $1 AND type = 'debit') AS debits,
              (SELECT balance::int FROM wallets WHERE id = $1) AS balance`,
      [walletId],
    );
    expect({ debits, balance }).toEqual({ debits: 40, balance: 6000 });
    expect(new Set([...outcomes.values()].map((o) => o.id)).size).toBe(40);
  });
});
