import { ADMIN_ACCOUNT_ID } from '../../src/modules/account/domain/account';
import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { bearer, credit, customerWithWallet } from '../support/wallet-fixtures';

const PROBLEM = /^application\/problem\+json/;

describe('wallets (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const debit = (
    walletId: string,
    key: string,
    body: unknown,
    idempotencyKey: string | null = randomUUID(),
  ) => {
    const req = t.http().post(`/api/wallets/${walletId}/debit`).set(bearer(key));
    if (idempotencyKey !== null) req.set('Idempotency-Key', idempotencyKey);
    return req.send(body as object);
  };

  describe('POST /api/wallets', () => {
    it('opens an empty wallet for the calling customer', async () => {
      const customer = await createCustomer(t);
      const res = await t
        .http()
        .post('/api/wallets')
        .set(bearer(customer.key))
        .send({ currency: 'EUR' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        account_id: customer.id,
        currency: 'EUR',
        balance: 0,
        held: 0,
        available: 0,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      });
      const read = await t.http().get(`/api/wallets/${res.body.id}`).set(bearer(customer.key)).expect(200);
      expect(read.body).toEqual(res.body);
    });

    it('409 wallet_exists for a second wallet in the same currency, another currency is fine', async () => {
      const customer = await createCustomer(t);
      await t.http().post('/api/wallets').set(bearer(customer.key)).send({ currency: 'USD' }).expect(201);
      const res = await t
        .http()
        .post('/api/wallets')
        .set(bearer(customer.key))
        .send({ currency: 'USD' })
        .expect(409);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('wallet_exists');
      await t.http().post('/api/wallets').set(bearer(customer.key)).send({ currency: 'GBP' }).expect(201);
    });

    it('the admin opens a wallet for an account, or for itself without account_id', async () => {
      const customer = await createCustomer(t);
      const res = await t
        .http()
        .post('/api/wallets')
        .set(bearer(ADMIN_KEY()))
        .send({ currency: 'JPY', account_id: customer.id })
        .expect(201);
      expect(res.body.account_id).toBe(customer.id);
      const own = await t
        .http()
        .post('/api/wallets')
        .set(bearer(ADMIN_KEY()))
        .send({ currency: 'ISK' })
        .expect(201);
      expect(own.body.account_id).toBe(ADMIN_ACCOUNT_ID);
      const unknown = await t
        .http()
        .post('/api/wallets')
        .set(bearer(ADMIN_KEY()))
        .send({ currency: 'JPY', account_id: randomUUID() })
        .expect(404);
      expect(unknown.body.code).toBe('not_found');
    });

    it('400 for a customer naming an account, a bad currency or unknown fields', async () => {
      const customer = await createCustomer(t);
      const other = await createCustomer(t);
      const named = await t
        .http()
        .post('/api/wallets')
        .set(bearer(customer.key))
        .send({ currency: 'USD', account_id: other.id })
        .expect(400);
      expect(named.body.errors[0].field).toBe('account_id');
      const self = await t
        .http()
        .post('/api/wallets')
        .set(bearer(customer.key))
        .send({ currency: 'USD', account_id: customer.id })
        .expect(201);
      expect(self.body.account_id).toBe(customer.id);
      for (const currency of ['usd', 'US', 'USDX', 840, undefined]) {
        const res = await t
          .http()
          .post('/api/wallets')
          .set(bearer(customer.key))
          .send({ currency })
          .expect(400);
        expect(res.body.code).toBe('validation_failed');
        expect(res.body.errors[0].field).toBe('currency');
      }
      const extra = await t
        .http()
        .post('/api/wallets')
        .set(bearer(customer.key))
        .send({ currency: 'USD', balance: 100 })
        .expect(400);
      expect(extra.body.errors[0].field).toBe('balance');
    });

    it('401 without a key', async () => {
      await t.http().post('/api/wallets').send({ currency: 'USD' }).expect(401);
    });
  });

  describe('GET /api/wallets', () => {
    const list = (key: string, query: Record<string, unknown> = {}) =>
      t.http().get('/api/wallets').set(bearer(key)).query(query);

    it("lists the caller's own wallets newest first, a page at a time", async () => {
      const customer = await createCustomer(t);
      const ids: string[] = [];
      for (const currency of ['USD', 'EUR', 'GBP']) {
        const res = await t
          .http()
          .post('/api/wallets')
          .set(bearer(customer.key))
          .send({ currency })
          .expect(201);
        ids.push(res.body.id);
      }
      await credit(t, ids[0], 700);
      await customerWithWallet(t, 100); // someone else's: never listed

      const all = await list(customer.key).expect(200);
      expect(all.body.next_cursor).toBeNull();
      expect(all.body.data.map((w: { id: string }) => w.id)).toEqual([...ids].reverse());
      expect(all.body.data[2]).toEqual({
        id: ids[0],
        account_id: customer.id,
        currency: 'USD',
        balance: 700,
        held: 0,
        available: 700,
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      });

      const first = await list(customer.key, { limit: 2 }).expect(200);
      expect(first.body.data.map((w: { id: string }) => w.id)).toEqual([ids[2], ids[1]]);
      const second = await list(customer.key, { limit: 2, cursor: first.body.next_cursor }).expect(200);
      expect(second.body).toEqual({ data: [all.body.data[2]], next_cursor: null });
    });

    it("the admin lists a customer's wallets with account_id, its own without; a customer only its own", async () => {
      const owner = await customerWithWallet(t, 250);
      const byAdmin = await list(ADMIN_KEY(), { account_id: owner.customer.id }).expect(200);
      expect(byAdmin.body.data.map((w: { id: string; balance: number }) => [w.id, w.balance])).toEqual([
        [owner.walletId, 250],
      ]);
      const adminOwn = await list(ADMIN_KEY()).expect(200);
      for (const wallet of adminOwn.body.data) expect(wallet.account_id).toBe(ADMIN_ACCOUNT_ID);
      expect(
        (await list(owner.customer.key, { account_id: owner.customer.id }).expect(200)).body.data,
      ).toHaveLength(1);

      const other = await createCustomer(t);
      const refused = await list(other.key, { account_id: owner.customer.id }).expect(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'account_id' })]);
      expect((await list(other.key).expect(200)).body).toEqual({ data: [], next_cursor: null });
    });

    it('400 for a bad limit, cursor, account_id or unknown parameter; 401 without a key', async () => {
      const customer = await createCustomer(t);
      for (const query of [
        { limit: 0 },
        { limit: 101 },
        { cursor: 'nope' },
        { account_id: 'x' },
        { sort: 'asc' },
      ]) {
        expect((await list(ADMIN_KEY(), query).expect(400)).body.code).toBe('validation_failed');
      }
      await list(customer.key).expect(200);
      await t.http().get('/api/wallets').expect(401);
    });
  });

  describe('access', () => {
    it("another account's wallet is 404 not_found for reads, debits and its ledger", async () => {
      const { walletId } = await customerWithWallet(t, 1000);
      const stranger = await createCustomer(t, 'Stranger');
      for (const res of [
        await t.http().get(`/api/wallets/${walletId}`).set(bearer(stranger.key)),
        await t.http().get(`/api/wallets/${walletId}/transactions`).set(bearer(stranger.key)),
        await debit(walletId, stranger.key, { amount: 1 }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.body.code).toBe('not_found');
      }
      const unknown = await t
        .http()
        .get(`/api/wallets/${randomUUID()}`)
        .set(bearer(stranger.key))
        .expect(404);
      expect(unknown.body.code).toBe('not_found');
      const balance = await t.http().get(`/api/wallets/${walletId}`).set(bearer(ADMIN_KEY())).expect(200);
      expect(balance.body.balance).toBe(1000);
    });

    it('403 when a customer credits, even its own wallet', async () => {
      const { walletId, customer } = await customerWithWallet(t, 0);
      const res = await t
        .http()
        .post(`/api/wallets/${walletId}/credit`)
        .set(bearer(customer.key))
        .set('Idempotency-Key', randomUUID())
        .send({ amount: 100 })
        .expect(403);
      expect(res.body.code).toBe('forbidden');
    });

    it('400 for a wallet id that is not a UUID', async () => {
      const customer = await createCustomer(t);
      const res = await t.http().get('/api/wallets/not-a-uuid').set(bearer(customer.key)).expect(400);
      expect(res.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });
  });

  describe('credit and debit', () => {
    it('records each movement in the ledger with the balance before and after', async () => {
      const { walletId, customer } = await customerWithWallet(t, 0);
      const credited = await credit(t, walletId, 1000, 'top-up-1');
      expect(credited.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        wallet_id: walletId,
        type: 'credit',
        amount: 1000,
        balance_before: 0,
        balance_after: 1000,
        description: null,
        reference_type: null,
        reference_id: null,
        idempotency_key: 'top-up-1',
        created_at: expect.stringMatching(/Z$/),
      });
      const debited = await debit(
        walletId,
        customer.key,
        { amount: 300, description: 'Coffee' },
        'coffee-1',
      ).expect(201);
      expect(debited.body).toMatchObject({
        type: 'debit',
        amount: 300,
        balance_before: 1000,
        balance_after: 700,
        description: 'Coffee',
        idempotency_key: 'coffee-1',
      });
      const byAdmin = await debit(walletId, ADMIN_KEY(), { amount: 200 }).expect(201);
      expect(byAdmin.body.balance_after).toBe(500);
      const wallet = await t.http().get(`/api/wallets/${walletId}`).set(bearer(customer.key)).expect(200);
      expect(wallet.body.balance).toBe(500);
    });

    it('422 insufficient_funds leaves the balance as it was', async () => {
      const { walletId, customer } = await customerWithWallet(t, 500);
      const res = await debit(walletId, customer.key, { amount: 800 }).expect(422);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ code: 'insufficient_funds', detail: 'Balance 500 is below 800' });
      const wallet = await t.http().get(`/api/wallets/${walletId}`).set(bearer(customer.key)).expect(200);
      expect(wallet.body.balance).toBe(500);
    });

    it.each([0, -5, 1.5, '100', 9007199254740992, null, undefined])(
      '400 validation_failed on field amount for %p, and the key stays usable',
      async (amount) => {
        const { walletId, customer } = await customerWithWallet(t, 1000);
        const key = randomUUID();
        const res = await debit(walletId, customer.key, { amount }, key).expect(400);
        expect(res.body.code).toBe('validation_failed');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['amount']);
        const credited = await t
          .http()
          .post(`/api/wallets/${walletId}/credit`)
          .set(bearer(ADMIN_KEY()))
          .set('Idempotency-Key', randomUUID())
          .send({ amount })
          .expect(400);
        expect(credited.body.errors[0].field).toBe('amount');
        // Validation failed before the handler, so the same key now runs a valid request.
        await debit(walletId, customer.key, { amount: 1 }, key).expect(201);
      },
    );

    it('400 for a description over 255 characters or an unknown field', async () => {
      const { walletId, customer } = await customerWithWallet(t, 1000);
      const long = await debit(walletId, customer.key, { amount: 1, description: 'x'.repeat(256) }).expect(
        400,
      );
      expect(long.body.errors[0].field).toBe('description');
      const extra = await debit(walletId, customer.key, { amount: 1, currency: 'USD' }).expect(400);
      expect(extra.body.errors[0].field).toBe('currency');
    });

    it('400 idempotency_key_required without a key, invalid_idempotency_key for a bad one', async () => {
      const { walletId, customer } = await customerWithWallet(t, 1000);
      const missing = await debit(walletId, customer.key, { amount: 1 }, null).expect(400);
      expect(missing.headers['content-type']).toMatch(PROBLEM);
      expect(missing.body.code).toBe('idempotency_key_required');
      const missingCredit = await t
        .http()
        .post(`/api/wallets/${walletId}/credit`)
        .set(bearer(ADMIN_KEY()))
        .send({ amount: 1 })
        .expect(400);
      expect(missingCredit.body.code).toBe('idempotency_key_required');
      for (const key of ['k'.repeat(256), 'clé-1', '']) {
        const res = await debit(walletId, customer.key, { amount: 1 }, key).expect(400);
        expect(res.body.code).toBe('invalid_idempotency_key');
      }
      await debit(walletId, customer.key, { amount: 1 }, 'k'.repeat(255)).expect(201);
      const wallet = await t.http().get(`/api/wallets/${walletId}`).set(bearer(customer.key)).expect(200);
      expect(wallet.body.balance).toBe(999);
    });
  });

  describe('GET /api/wallets/:id/transactions', () => {
    it('pages the ledger newest first with next_cursor', async () => {
      const { walletId, customer } = await customerWithWallet(t, 0);
      for (const amount of [100, 200, 300, 400, 500]) await credit(t, walletId, amount);
      await debit(walletId, customer.key, { amount: 50 }).expect(201);

      const first = await t
        .http()
        .get(`/api/wallets/${walletId}/transactions?limit=4`)
        .set(bearer(customer.key))
        .expect(200);
      expect(first.body.data.map((e: { amount: number }) => e.amount)).toEqual([50, 500, 400, 300]);
      expect(first.body.data[0]).toMatchObject({ type: 'debit', balance_before: 1500, balance_after: 1450 });
      expect(typeof first.body.next_cursor).toBe('string');

      const second = await t
        .http()
        .get(`/api/wallets/${walletId}/transactions`)
        .query({ limit: 4, cursor: first.body.next_cursor })
        .set(bearer(customer.key))
        .expect(200);
      expect(second.body.data.map((e: { amount: number }) => e.amount)).toEqual([200, 100]);
      expect(second.body.next_cursor).toBeNull();

      const all = await t
        .http()
        .get(`/api/wallets/${walletId}/transactions`)
        .set(bearer(ADMIN_KEY()))
        .expect(200);
      expect(all.body.data).toHaveLength(6);
      expect(all.body.next_cursor).toBeNull();
    });

    it('400 for a cursor it did not issue or a limit outside 1..100', async () => {
      const { walletId, customer } = await customerWithWallet(t, 0);
      const bad = await t
        .http()
        .get(`/api/wallets/${walletId}/transactions?cursor=garbage`)
        .set(bearer(customer.key))
        .expect(400);
      expect(bad.body.errors[0].field).toBe('cursor');
      for (const limit of [0, 101, 'x']) {
        const res = await t
          .http()
          .get(`/api/wallets/${walletId}/transactions`)
          .query({ limit })
          .set(bearer(customer.key))
          .expect(400);
        expect(res.body.errors[0].field).toBe('limit');
      }
    });
  });

  describe('database guarantees', () => {
    it('refuses a negative balance, a non-positive amount and a second entry for one key', async () => {
      const { walletId } = await customerWithWallet(t, 100);
      const ds = t.app.get(DataSource);
      await expect(ds.query('UPDATE wallets SET balance = -1 WHERE id = $1', [walletId])).rejects.toThrow(
        /wallets_balance_check/,
      );
      const insert = (amount: number, key: string) =>
        ds.query(
          `INSERT INTO wallet_transactions
             (id, wallet_id, type, amount, balance_before, balance_after, key_scope, idempotency_key)
           VALUES ($1, $2, 'credit', $3::bigint, 100, 100 + $3::bigint, 'service', $4)`,
          [randomUUID(), walletId, amount, key],
        );
      await expect(insert(0, 'zero')).rejects.toThrow(/wallet_transactions_amount_check/);
      await insert(1, 'once');
      try {
        await expect(insert(1, 'once')).rejects.toThrow(/wallet_transactions_wallet_key_key/);
      } finally {
        // The hand-made entry has no balance change behind it: remove it so that the database still reconciles.
        await ds.query(`DELETE FROM wallet_transactions WHERE wallet_id = $1 AND idempotency_key = 'once'`, [
          walletId,
        ]);
      }
    });
  });

  it('documents every wallet endpoint with the Idempotency-Key header where it applies', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const header = (op: { parameters: Array<{ in: string; name: string; required?: boolean }> }) =>
      op.parameters.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
    expect(header(doc.paths['/api/wallets/{id}/debit'].post)).toMatchObject({ required: true });
    expect(header(doc.paths['/api/wallets/{id}/credit'].post)).toMatchObject({ required: true });
    expect(header(doc.paths['/api/wallets'].post)).toMatchObject({ required: false });
    const debitResponses = doc.paths['/api/wallets/{id}/debit'].post.responses;
    expect(debitResponses['422'].description).toContain('insufficient_funds');
    expect(debitResponses['422'].description).toContain('idempotency_key_reused');
    expect(debitResponses['409'].description).toContain('idempotency_key_in_use');
    expect(debitResponses['503'].description).toContain('wallet_busy');
    expect(doc.paths['/api/wallets/{id}/transactions'].get).toMatchObject({
      operationId: 'WalletsController_transactions',
    });
  });
});
