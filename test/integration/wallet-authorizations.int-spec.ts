import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { ExpireAuthorizationsService } from '../../src/modules/wallet/application/expire-authorizations.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { authorize, customerWithWallet, debit, settleAuthorization } from '../support/wallet-fixtures';

/** Authorizations, captures, voids and expiry racing each other on one wallet: exact outcomes. */
describe('wallet authorizations under concurrency (integration)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const walletRow = async (id: string) => {
    const [row] = await db.query(
      `SELECT balance::int, held::int,
              (SELECT coalesce(sum(amount), 0)::int FROM authorizations
                WHERE wallet_id = w.id AND status = 'pending') AS pending,
              (SELECT coalesce(sum(CASE type WHEN 'credit' THEN amount ELSE -amount END), 0)::int
                 FROM wallet_transactions WHERE wallet_id = w.id) AS ledger
         FROM wallets w WHERE id = $1`,
      [id],
    );
    return row as { balance: number; held: number; pending: number; ledger: number };
  };

  it('50 authorizations and 50 debits of 300 on 15000: exactly 50 succeed, available 0, held the pending sum, never negative', async () => {
    const { customer, walletId } = await customerWithWallet(t, 15_000);
    let running = true;
    const seen: Array<{ balance: number; held: number }> = [];
    const watch = (async () => {
      while (running) seen.push(await walletRow(walletId));
    })();
    const requests = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0
        ? authorize(t, walletId, customer.key, { amount: 300 }).then((r) => ({ kind: 'authorize', r }))
        : debit(t, walletId, customer.key, 300, randomUUID()).then((r) => ({ kind: 'debit', r })),
    );
    const answers = await Promise.all(requests);
    running = false;
    await watch;

    const ok = answers.filter((a) => a.r.status === 201);
    const refused = answers.filter((a) => a.r.status !== 201);
    expect(ok).toHaveLength(50);
    expect(refused).toHaveLength(50);
    for (const { r } of refused) expect([r.status, r.body.code]).toEqual([422, 'insufficient_funds']);
    const authorized = ok.filter((a) => a.kind === 'authorize').length;
    const debited = ok.filter((a) => a.kind === 'debit').length;

    const after = await walletRow(walletId);
    expect(after).toEqual({
      balance: 15_000 - 300 * debited,
      held: 300 * authorized,
      pending: 300 * authorized,
      ledger: 15_000 - 300 * debited,
    });
    expect(after.balance - after.held).toBe(0);
    for (const s of seen) {
      expect(s.held).toBeGreaterThanOrEqual(0);
      expect(s.balance - s.held).toBeGreaterThanOrEqual(0);
    }
  });

  it('authorizations, captures and debits of one wallet share its batches: one transaction writes several kinds', async () => {
    const { customer, walletId } = await customerWithWallet(t, 100_000);
    const held: string[] = [];
    for (let i = 0; i < 10; i++) {
      held.push((await authorize(t, walletId, customer.key, { amount: 100 }).expect(201)).body.id);
    }
    const answers = await Promise.all([
      ...held.map((id) => settleAuthorization(t, id, customer.key, 'capture', { amount: 50 })),
      ...Array.from({ length: 10 }, () => authorize(t, walletId, customer.key, { amount: 100 })),
      ...Array.from({ length: 10 }, () => debit(t, walletId, customer.key, 100, randomUUID())),
    ]);
    expect(answers.map((a) => a.status)).toEqual([...Array(10).fill(200), ...Array(20).fill(201)]);
    // Rows written by one transaction carry its id (xmin): the 30 requests took fewer transactions,
    // and some of them wrote more than one kind (captures, new authorizations, debits).
    const kinds: Array<{ kinds: number; requests: number }> = await db.query(
      `SELECT count(DISTINCT kind)::int AS kinds, count(*)::int AS requests FROM (
         SELECT xmin::text AS xact, 'authorize' AS kind FROM authorizations
          WHERE wallet_id = $1 AND status = 'pending'
         UNION ALL
         SELECT xmin::text, coalesce(reference_type, 'debit') FROM wallet_transactions
          WHERE wallet_id = $1 AND type = 'debit'
       ) x GROUP BY xact`,
      [walletId],
    );
    expect(kinds.reduce((n, k) => n + k.requests, 0)).toBe(30);
    expect(kinds.length).toBeLessThan(30);
    expect(kinds.some((k) => k.kinds > 1)).toBe(true);
    expect(await walletRow(walletId)).toEqual({
      balance: 100_000 - 10 * 50 - 10 * 100,
      held: 10 * 100,
      pending: 10 * 100,
      ledger: 100_000 - 10 * 50 - 10 * 100,
    });
  });

  it('a capture racing a void: exactly one wins for each authorization, and the money moves once', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await authorize(t, walletId, customer.key, { amount: 100 }).expect(201)).body.id);
    }
    const races = await Promise.all(
      ids.map((id) =>
        Promise.all([
          settleAuthorization(t, id, customer.key, 'capture', { amount: 60 }),
          settleAuthorization(t, id, customer.key, 'void'),
        ]),
      ),
    );
    let captured = 0;
    for (const [capture, voided] of races) {
      const statuses = [capture.status, voided.status].sort();
      expect(statuses).toEqual([200, 409]);
      const loser = capture.status === 409 ? capture : voided;
      expect(loser.body.code).toBe('authorization_not_pending');
      if (capture.status === 200) captured++;
    }
    const rows: Array<{ status: string; n: number }> = await db.query(
      `SELECT status, count(*)::int AS n FROM authorizations WHERE wallet_id = $1 GROUP BY status ORDER BY status`,
      [walletId],
    );
    expect(rows).toEqual(
      [
        { status: 'captured', n: captured },
        { status: 'voided', n: 20 - captured },
      ].filter((r) => r.n > 0),
    );
    const [debits] = await db.query(
      `SELECT count(*)::int AS n FROM wallet_transactions WHERE wallet_id = $1 AND type = 'debit'`,
      [walletId],
    );
    expect(debits.n).toBe(captured);
    expect(await walletRow(walletId)).toEqual({
      balance: 10_000 - 60 * captured,
      held: 0,
      pending: 0,
      ledger: 10_000 - 60 * captured,
    });
  });

  it('captures racing the expiry: each authorization is captured or expired, never both, and its money is taken at most once', async () => {
    const { customer, walletId } = await customerWithWallet(t, 10_000);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await authorize(t, walletId, customer.key, { amount: 100, expires_in_seconds: 60 }).expect(
        201,
      );
      ids.push(res.body.id);
    }
    t.clock.advance(60_000 - 1);
    const expiry = t.app.get(ExpireAuthorizationsService);
    const captures = ids.map((id) => settleAuthorization(t, id, customer.key, 'capture'));
    // expires_at arrives while the captures are on their way; the sweep and each delayed job run.
    await new Promise((resolve) => setImmediate(resolve));
    t.clock.advance(1);
    const [answers] = await Promise.all([
      Promise.all(captures),
      expiry.sweep(),
      ...ids.map((id) => expiry.expireOne(id)),
    ]);
    await expiry.sweep();

    const statuses: Array<{ id: string; status: string; captured_amount: number }> = await db.query(
      `SELECT id, status, captured_amount::int FROM authorizations WHERE wallet_id = $1`,
      [walletId],
    );
    const byId = new Map(statuses.map((s) => [s.id, s]));
    let captured = 0;
    answers.forEach((answer, i) => {
      const row = byId.get(ids[i]);
      if (answer.status === 200) {
        captured++;
        expect(row).toMatchObject({ status: 'captured', captured_amount: 100 });
      } else {
        expect([answer.status, answer.body.code]).toEqual([409, 'authorization_not_pending']);
        expect(row).toMatchObject({ status: 'expired', captured_amount: 0 });
      }
    });
    const [debits] = await db.query(
      `SELECT count(*)::int AS n FROM wallet_transactions WHERE wallet_id = $1 AND type = 'debit'`,
      [walletId],
    );
    expect(debits.n).toBe(captured);
    expect(await walletRow(walletId)).toEqual({
      balance: 10_000 - 100 * captured,
      held: 0,
      pending: 0,
      ledger: 10_000 - 100 * captured,
    });
  });
});
