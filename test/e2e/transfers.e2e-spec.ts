import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { eventually } from '../support/inventory-fixtures';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/test-app';
import { bearer, credit, customerWithWallet, debit } from '../support/wallet-fixtures';

const PROBLEM = /^application\/problem\+json/;

describe('transfers (e2e)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const transfer = (
    key: string,
    body: Record<string, unknown>,
    idempotencyKey: string | null = randomUUID(),
  ) => {
    const req = t.http().post('/api/transfers').set(bearer(key));
    if (idempotencyKey !== null) req.set('Idempotency-Key', idempotencyKey);
    return req.send(body);
  };
  const balanceOf = async (walletId: string) =>
    Number((await db.query('SELECT balance FROM wallets WHERE id = $1', [walletId]))[0].balance);
  const entriesOf = (transferId: string) =>
    db.query(
      `SELECT id, wallet_id, type, amount::int FROM wallet_transactions
        WHERE reference_type = 'transfer' AND reference_id = $1 ORDER BY type`,
      [transferId],
    );

  it('moves money from the caller’s wallet to another account’s wallet, both entries referencing it', async () => {
    const alice = await customerWithWallet(t, 5000);
    const bob = await customerWithWallet(t, 100);
    const res = await transfer(alice.customer.key, {
      from_wallet_id: alice.walletId,
      to_wallet_id: bob.walletId,
      amount: 1250,
      description: 'Dinner',
    }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      from_wallet_id: alice.walletId,
      to_wallet_id: bob.walletId,
      amount: 1250,
      currency: 'USD',
      description: 'Dinner',
      debit_transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      credit_transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      created_at: expect.stringMatching(/Z$/),
    });
    expect(await balanceOf(alice.walletId)).toBe(3750);
    expect(await balanceOf(bob.walletId)).toBe(1350);
    expect(await entriesOf(res.body.id)).toEqual([
      { id: res.body.credit_transaction_id, wallet_id: bob.walletId, type: 'credit', amount: 1250 },
      { id: res.body.debit_transaction_id, wallet_id: alice.walletId, type: 'debit', amount: 1250 },
    ]);
    const ledger = await t
      .http()
      .get(`/api/wallets/${bob.walletId}/transactions`)
      .set(bearer(bob.customer.key))
      .expect(200);
    expect(ledger.body.data[0]).toMatchObject({
      type: 'credit',
      amount: 1250,
      description: 'Dinner',
      reference_type: 'transfer',
      reference_id: res.body.id,
    });

    // Either side's owner and the admin see it; nobody else does.
    for (const key of [alice.customer.key, bob.customer.key, ADMIN_KEY()]) {
      const read = await t.http().get(`/api/transfers/${res.body.id}`).set(bearer(key)).expect(200);
      expect(read.body).toEqual(res.body);
    }
    const stranger = await customerWithWallet(t, 0);
    const hidden = await t.http().get(`/api/transfers/${res.body.id}`).set(bearer(stranger.customer.key));
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('not_found');
    await t.http().get(`/api/transfers/${randomUUID()}`).set(bearer(ADMIN_KEY())).expect(404);
    await t.http().get('/api/transfers/not-a-uuid').set(bearer(ADMIN_KEY())).expect(400);
  });

  it('replayed with its key: the same answer and one effect; another body with the key is refused', async () => {
    const alice = await customerWithWallet(t, 1000);
    const bob = await customerWithWallet(t, 0);
    const key = randomUUID();
    const body = { from_wallet_id: alice.walletId, to_wallet_id: bob.walletId, amount: 300 };
    const first = await transfer(alice.customer.key, body, key).expect(201);
    const again = await transfer(alice.customer.key, body, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const reused = await transfer(alice.customer.key, { ...body, amount: 301 }, key).expect(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    expect(await balanceOf(alice.walletId)).toBe(700);
    expect(await balanceOf(bob.walletId)).toBe(300);
    const [{ transfers }] = await db.query(
      'SELECT COUNT(*)::int AS transfers FROM transfers WHERE from_wallet_id = $1',
      [alice.walletId],
    );
    expect(transfers).toBe(1);
  });

  it('12 concurrent requests with one key: one transfer, every answer the same', async () => {
    const alice = await customerWithWallet(t, 1000);
    const bob = await customerWithWallet(t, 0);
    const key = randomUUID();
    const body = { from_wallet_id: alice.walletId, to_wallet_id: bob.walletId, amount: 100 };
    const results = await Promise.all(
      Array.from({ length: 12 }, () => transfer(alice.customer.key, body, key)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    for (const r of results) expect(r.body.id).toBe(results[0].body.id);
    expect(await balanceOf(alice.walletId)).toBe(900);
    expect(await balanceOf(bob.walletId)).toBe(100);
  });

  it('80 opposite transfers between two wallets at once: 80 × 201, no deadlock, exact balances', async () => {
    const alice = await customerWithWallet(t, 10000);
    const bob = await customerWithWallet(t, 10000);
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        i % 2 === 0
          ? transfer(alice.customer.key, {
              from_wallet_id: alice.walletId,
              to_wallet_id: bob.walletId,
              amount: 150,
            })
          : transfer(bob.customer.key, {
              from_wallet_id: bob.walletId,
              to_wallet_id: alice.walletId,
              amount: 100,
            }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(80).fill(201));
    expect(await balanceOf(alice.walletId)).toBe(10000 - 40 * 150 + 40 * 100);
    expect(await balanceOf(bob.walletId)).toBe(10000 - 40 * 100 + 40 * 150);
    const [{ transfers, entries }] = await db.query(
      `SELECT (SELECT COUNT(*)::int FROM transfers WHERE from_wallet_id IN ($1, $2)) AS transfers,
              (SELECT COUNT(*)::int FROM wallet_transactions
                WHERE wallet_id IN ($1, $2) AND reference_type = 'transfer') AS entries`,
      [alice.walletId, bob.walletId],
    );
    expect({ transfers, entries }).toEqual({ transfers: 80, entries: 160 });
  });

  it('opposite transfers queued behind a lock on both wallets: once it goes, none deadlocks or is retried', async () => {
    const alice = await customerWithWallet(t, 10000);
    const bob = await customerWithWallet(t, 10000);
    const deadlockRetries = async () => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      const match = /^db_transaction_retries_total\{sqlstate="40P01"\} (\d+)$/m.exec(text);
      return match ? Number(match[1]) : 0;
    };
    const before = await deadlockRetries();
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    let results: Array<{ status: number }>;
    try {
      await holder.query('SELECT id FROM wallets WHERE id IN ($1, $2) FOR UPDATE', [
        alice.walletId,
        bob.walletId,
      ]);
      const sent = Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? transfer(alice.customer.key, {
                from_wallet_id: alice.walletId,
                to_wallet_id: bob.walletId,
                amount: 150,
              })
            : transfer(bob.customer.key, {
                from_wallet_id: bob.walletId,
                to_wallet_id: alice.walletId,
                amount: 100,
              }),
        ),
      );
      // Both directions' batches are waiting on the held rows: locking each its own source first
      // would deadlock them the moment the rows are released.
      const waiting = await eventually(
        async () =>
          (
            await db.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          )[0].n as number,
        (n) => n >= 2,
        2000,
      );
      expect(waiting).toBeGreaterThanOrEqual(2);
      await holder.commitTransaction();
      results = await sent;
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(await balanceOf(alice.walletId)).toBe(10000 - 10 * 150 + 10 * 100);
    expect(await balanceOf(bob.walletId)).toBe(10000 - 10 * 100 + 10 * 150);
    expect(await deadlockRetries()).toBe(before);
  });

  it('30 concurrent transfers of 400 and debits of 400 on 5000: exactly 12 succeed, the balance never negative', async () => {
    const alice = await customerWithWallet(t, 5000);
    const bob = await customerWithWallet(t, 0);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? transfer(alice.customer.key, {
              from_wallet_id: alice.walletId,
              to_wallet_id: bob.walletId,
              amount: 400,
            })
          : debit(t, alice.walletId, alice.customer.key, 400, randomUUID()),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(12);
    expect(refused.map((r) => r.status)).toEqual(Array(18).fill(422));
    for (const r of refused) expect(r.body.code).toBe('insufficient_funds');
    const transferred = ok.filter((r) => 'to_wallet_id' in r.body).length;
    expect(await balanceOf(alice.walletId)).toBe(5000 - 12 * 400);
    expect(await balanceOf(bob.walletId)).toBe(transferred * 400);
  });

  it('422 insufficient_funds and currency_mismatch; nothing moves', async () => {
    const alice = await customerWithWallet(t, 500);
    const bob = await customerWithWallet(t, 0);
    const euros = await customerWithWallet(t, 0, 'EUR');
    const poor = await transfer(alice.customer.key, {
      from_wallet_id: alice.walletId,
      to_wallet_id: bob.walletId,
      amount: 501,
    }).expect(422);
    expect(poor.headers['content-type']).toMatch(PROBLEM);
    expect(poor.body.code).toBe('insufficient_funds');
    const mismatch = await transfer(alice.customer.key, {
      from_wallet_id: alice.walletId,
      to_wallet_id: euros.walletId,
      amount: 100,
    }).expect(422);
    expect(mismatch.body.code).toBe('currency_mismatch');
    expect(await balanceOf(alice.walletId)).toBe(500);
    expect(await balanceOf(bob.walletId)).toBe(0);
    expect(await balanceOf(euros.walletId)).toBe(0);
  });

  it('404 for a source that is not the caller’s or a destination that does not exist; the admin may send from any wallet', async () => {
    const alice = await customerWithWallet(t, 500);
    const bob = await customerWithWallet(t, 500);
    const notMine = await transfer(alice.customer.key, {
      from_wallet_id: bob.walletId,
      to_wallet_id: alice.walletId,
      amount: 100,
    }).expect(404);
    expect(notMine.body.code).toBe('not_found');
    const nowhere = await transfer(alice.customer.key, {
      from_wallet_id: alice.walletId,
      to_wallet_id: randomUUID(),
      amount: 100,
    }).expect(404);
    expect(nowhere.body.code).toBe('not_found');
    await transfer(alice.customer.key, {
      from_wallet_id: randomUUID(),
      to_wallet_id: alice.walletId,
      amount: 100,
    }).expect(404);
    await transfer(ADMIN_KEY(), {
      from_wallet_id: bob.walletId,
      to_wallet_id: alice.walletId,
      amount: 100,
    }).expect(201);
    expect(await balanceOf(alice.walletId)).toBe(600);
    expect(await balanceOf(bob.walletId)).toBe(400);
  });

  it('400 for the same wallet on both sides, a bad amount, an unknown field, or no Idempotency-Key', async () => {
    const alice = await customerWithWallet(t, 500);
    const bob = await customerWithWallet(t, 0);
    const same = await transfer(alice.customer.key, {
      from_wallet_id: alice.walletId,
      to_wallet_id: alice.walletId,
      amount: 100,
    }).expect(400);
    expect(same.body).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ field: 'to_wallet_id' })],
    });
    const base = { from_wallet_id: alice.walletId, to_wallet_id: bob.walletId };
    for (const body of [
      { ...base, amount: 0 },
      { ...base, amount: '100' },
      { ...base, amount: 9007199254740992 },
      { ...base, amount: 100, extra: 1 },
      { ...base, amount: 100, description: 'a\u0000b' },
      { to_wallet_id: bob.walletId, amount: 100 },
    ]) {
      const res = await transfer(alice.customer.key, body).expect(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const noKey = await transfer(alice.customer.key, { ...base, amount: 100 }, null).expect(400);
    expect(noKey.body.code).toBe('idempotency_key_required');
    await t.http().post('/api/transfers').set('Idempotency-Key', randomUUID()).send(base).expect(401);
    expect(await balanceOf(alice.walletId)).toBe(500);
  });

  it('a credit that would pass the balance limit refuses the transfer, and nothing moves', async () => {
    const alice = await customerWithWallet(t, 1000);
    const rich = await customerWithWallet(t, 0);
    await credit(t, rich.walletId, 9007199254740991 - 10);
    const res = await transfer(alice.customer.key, {
      from_wallet_id: alice.walletId,
      to_wallet_id: rich.walletId,
      amount: 11,
    }).expect(422);
    expect(res.body.code).toBe('balance_limit_exceeded');
    expect(await balanceOf(alice.walletId)).toBe(1000);
  });
});
