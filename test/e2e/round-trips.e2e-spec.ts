import { AsyncLocalStorage } from 'async_hooks';
import { createHash, randomUUID } from 'crypto';
import type { IncomingMessage, Server, ServerResponse } from 'http';
import type Redis from 'ioredis';
import type { Pool, PoolClient } from 'pg';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { REDIS } from '../../src/shared/redis/redis.module';
import { redisKey } from '../../src/shared/redis/redis-keys';
import { bookFlight, flightOfferId } from '../support/booking-fixtures';
import { createProduct, placeHold } from '../support/inventory-fixtures';
import { pay, pendingOrder, refund } from '../support/payment-fixtures';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import {
  authorize,
  bearer,
  customerWithWallet,
  debit,
  settleAuthorization,
} from '../support/wallet-fixtures';

/**
 * The README's round-trip budget (Architecture, "The write path: round trips and commits"), held:
 * every statement a hot request sends to PostgreSQL, in order, with those sent while its hot row is
 * locked in **bold**, as the table lists them, and how many commits that makes.
 *
 * What is counted is what goes over the wire: each client of the app's pg pool has its `query`
 * wrapped the first time the pool hands it out, so START TRANSACTION, SET LOCAL and COMMIT count
 * like any statement, whichever layer sends them, each with the connection (backend pid) it went on.
 * A statement belongs to the request in whose async context it was sent: the HTTP server runs every
 * request in an AsyncLocalStorage scope of its own. Background work (the idempotency purge and other
 * Bull jobs, sweepers when on) runs outside any request's scope and is not counted, even when it
 * uses a connection a request used before.
 *
 * Requests are sent one at a time, so that each goes alone, as a batch of one. Each caller's API
 * key is used once just before (see `caller`), so that the request finds it in the key cache.
 */

interface Statement {
  /** The backend pid of the connection it was sent on. */
  connection: number;
  sql: string;
}

/** The statements one HTTP request sent, and any it sent after it was answered. */
class RequestTrace {
  readonly statements: Statement[] = [];
  readonly late: Statement[] = [];
  answered = false;
}

/**
 * A statement as the README names it: its verb, the tables it reads or writes, and whether it locks
 * rows (`SELECT products FOR UPDATE`, `WITH products, holds, idempotency_keys`, `COMMIT`).
 */
function label(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  if (/^(START TRANSACTION|COMMIT|ROLLBACK)$/.test(text)) return text;
  const set = /^SET LOCAL (\w+)/.exec(text);
  if (set) return `SET LOCAL ${set[1]}`;
  const ctes = new Set([...text.matchAll(/(\w+) AS \(/g)].map((m) => m[1]));
  // Table names after FROM and JOIN (not a function: unnest(…)), INTO and UPDATE (not FOR or DO
  // UPDATE), other than the statement's own CTEs.
  const tables = [
    ...text.matchAll(/\b(?:(?:FROM|JOIN) "?(\w+)\b"?(?! ?\()|(?:INTO|(?<!FOR |DO )UPDATE) "?(\w+))/g),
  ]
    .map((m) => m[1] ?? m[2])
    .filter((name) => !ctes.has(name));
  const verb = text.split(' ')[0].toUpperCase();
  const locks = /\bFOR UPDATE\b/.test(text) ? ' FOR UPDATE' : '';
  return [verb, [...new Set(tables)].join(', ')].filter(Boolean).join(' ') + locks;
}

const locksTable = (step: string, table: string) =>
  step.endsWith(' FOR UPDATE') && step.split(/[ ,]+/).includes(table);

/**
 * The request's statements, labelled, in bold from the one that locks a row of `hot` to the end of
 * that transaction (COMMIT or ROLLBACK) on the same connection.
 */
function steps(trace: RequestTrace, hot?: string): string[] {
  const locked = new Set<number>();
  return trace.statements.map(({ connection, sql }) => {
    const step = label(sql);
    if (hot && locksTable(step, hot)) locked.add(connection);
    const bold = locked.has(connection);
    if (step === 'COMMIT' || step === 'ROLLBACK') locked.delete(connection);
    return bold ? `**${step}**` : step;
  });
}

/** The request's cost as the README counts it: round trips, those while `hot` is locked, commits. */
function cost(trace: RequestTrace, hot: string) {
  const labelled = steps(trace, hot);
  return {
    roundTrips: labelled.length,
    locked: labelled.filter((s) => s.startsWith('**')).length,
    commits: labelled.filter((s) => s.replace(/\*/g, '') === 'COMMIT').length,
  };
}

describe('round trips of the hot requests (e2e)', () => {
  let t: TestApp;
  const scope = new AsyncLocalStorage<RequestTrace>();
  const traces: RequestTrace[] = [];
  /** Whose transaction is open on each connection (undefined: background work's). */
  const openBy = new Map<number, RequestTrace | undefined>();
  /** Statements sent, on a connection, inside another context's transaction (see afterAll). */
  const strays: Array<Statement & { in: string }> = [];

  function record(connection: number, sql: string): void {
    const trace = scope.getStore();
    if (openBy.has(connection) && openBy.get(connection) !== trace) {
      strays.push({ connection, sql, in: openBy.get(connection) ? 'a request' : 'background work' });
    }
    if (sql === 'START TRANSACTION') openBy.set(connection, trace);
    if (sql === 'COMMIT' || sql === 'ROLLBACK') openBy.delete(connection);
    if (trace) (trace.answered ? trace.late : trace.statements).push({ connection, sql });
  }

  beforeAll(async () => {
    t = await createTestApp();

    const pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    const wrapped = new WeakSet<PoolClient>();
    pool.on('acquire', (client: PoolClient) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const connection = (client as PoolClient & { processID: number }).processID;
      const send = client.query.bind(client) as (...args: unknown[]) => unknown;
      Object.assign(client, {
        query: (...args: unknown[]) => {
          const first = args[0] as string | { text: string };
          record(connection, typeof first === 'string' ? first : first.text);
          return send(...args);
        },
      });
    });

    const server = t.app.getHttpServer() as Server;
    const handlers = server.listeners('request') as Array<
      (req: IncomingMessage, res: ServerResponse) => void
    >;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const trace = new RequestTrace();
      traces.push(trace);
      scope.run(trace, () => handlers.forEach((handler) => handler.call(server, req, res)));
    });
  });

  afterAll(async () => {
    // What the attribution rests on: nothing a request started reaches PostgreSQL after its answer,
    // and no statement of a transaction is sent from another async context than its START (which
    // would be a request's statement that this file did not count, or background work's counted).
    await t.close();
    for (const trace of traces) expect(trace.late).toEqual([]);
    expect(strays).toEqual([]);
  });

  /** Sends one request, alone, and returns its answer and what it sent to PostgreSQL. */
  async function traced(send: () => PromiseLike<Response>): Promise<{ res: Response; trace: RequestTrace }> {
    const before = traces.length;
    const res = await send();
    expect(traces.length - before).toBe(1);
    const trace = traces[before];
    trace.answered = true;
    return { res, trace };
  }

  /** A new customer whose key has just been looked up: its next request finds it in the key cache. */
  async function caller(): Promise<{ id: string; key: string }> {
    const customer = await createCustomer(t, 'Round trips');
    await warm(customer.key);
    return customer;
  }
  const warm = async (key: string) => {
    await t.http().get('/api/accounts/me').set(bearer(key)).expect(200);
  };

  describe('POST /api/holds', () => {
    it('without an Idempotency-Key: START, SET LOCAL, the lock, one write, COMMIT', async () => {
      const product = await createProduct(t, 10);
      const buyer = await caller();
      const { res, trace } = await traced(() => placeHold(t, buyer.key, product.id, 1));
      expect(res.status).toBe(201);
      expect(steps(trace, 'products')).toEqual([
        'START TRANSACTION',
        'SET LOCAL lock_timeout',
        '**SELECT products FOR UPDATE**',
        '**WITH products, holds, event_outbox**',
        '**COMMIT**',
      ]);
      expect(cost(trace, 'products')).toEqual({ roundTrips: 5, locked: 3, commits: 1 });
    });

    it('with an Idempotency-Key: the claim before the lock, the answer in the one write', async () => {
      const product = await createProduct(t, 10);
      const buyer = await caller();
      const { res, trace } = await traced(() =>
        placeHold(t, buyer.key, product.id, 1).set('Idempotency-Key', randomUUID()),
      );
      expect(res.status).toBe(201);
      expect(steps(trace, 'products')).toEqual([
        'START TRANSACTION',
        'SET LOCAL lock_timeout',
        'INSERT idempotency_keys',
        '**SELECT products FOR UPDATE**',
        '**WITH products, holds, idempotency_keys, event_outbox**',
        '**COMMIT**',
      ]);
      expect(cost(trace, 'products')).toEqual({ roundTrips: 6, locked: 3, commits: 1 });
    });

    it('on a product with max_per_account: the units the account already has, under the lock', async () => {
      const product = await createProduct(t, 10, { max_per_account: 3 });
      const buyer = await caller();
      const { res, trace } = await traced(() => placeHold(t, buyer.key, product.id, 1));
      expect(res.status).toBe(201);
      expect(steps(trace, 'products')).toEqual([
        'START TRANSACTION',
        'SET LOCAL lock_timeout',
        '**SELECT products FOR UPDATE**',
        '**SELECT holds, orders**',
        '**WITH products, holds, event_outbox**',
        '**COMMIT**',
      ]);
      expect(cost(trace, 'products')).toEqual({ roundTrips: 6, locked: 4, commits: 1 });
    });

    it('on a sold-out product: refused on the sold-out mark, with no round trip to PostgreSQL', async () => {
      const product = await createProduct(t, 1);
      const buyer = await caller();
      // Takes the last unit, and so marks the product sold out as it commits.
      await placeHold(t, buyer.key, product.id, 1).expect(201);
      const { res, trace } = await traced(() => placeHold(t, buyer.key, product.id, 1));
      expect([res.status, res.body.code]).toEqual([409, 'insufficient_stock']);
      expect(steps(trace)).toEqual([]);
    });
  });

  describe('POST /api/wallets/:id/debit and credit, with their Idempotency-Key', () => {
    const ledgerPath = [
      'START TRANSACTION',
      'SET LOCAL lock_timeout',
      'INSERT idempotency_keys',
      '**SELECT wallet_transactions, wallets FOR UPDATE**',
      '**WITH wallets, wallet_transactions, idempotency_keys, event_outbox**',
      '**COMMIT**',
    ];

    it('debit: the claim, one locked read with the keyed entries, one write with the answer, COMMIT', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1000);
      await warm(customer.key);
      const { res, trace } = await traced(() => debit(t, walletId, customer.key, 100, randomUUID()));
      expect(res.status).toBe(201);
      expect(steps(trace, 'wallets')).toEqual(ledgerPath);
      expect(cost(trace, 'wallets')).toEqual({ roundTrips: 6, locked: 3, commits: 1 });
    });

    it('credit: the same', async () => {
      const { walletId } = await customerWithWallet(t, 0);
      const { res, trace } = await traced(() =>
        t
          .http()
          .post(`/api/wallets/${walletId}/credit`)
          .set(bearer(ADMIN_KEY()))
          .set('Idempotency-Key', randomUUID())
          .send({ amount: 100 }),
      );
      expect(res.status).toBe(201);
      expect(steps(trace, 'wallets')).toEqual(ledgerPath);
      expect(cost(trace, 'wallets')).toEqual({ roundTrips: 6, locked: 3, commits: 1 });
    });
  });

  describe("authorizations: create, capture and void join the wallet's batch", () => {
    const authorizationPath = [
      'START TRANSACTION',
      'SET LOCAL lock_timeout',
      'INSERT idempotency_keys',
      '**SELECT wallet_transactions, wallets FOR UPDATE**',
      '**SELECT authorizations**',
      '**WITH wallets, wallet_transactions, authorizations, idempotency_keys, event_outbox**',
      '**COMMIT**',
    ];

    it("create: the claim, the locked read, the batch's authorizations read under the lock, one write with the answer", async () => {
      const { customer, walletId } = await customerWithWallet(t, 1000);
      await warm(customer.key);
      const { res, trace } = await traced(() => authorize(t, walletId, customer.key, { amount: 100 }));
      expect(res.status).toBe(201);
      expect(steps(trace, 'wallets')).toEqual(authorizationPath);
      expect(cost(trace, 'wallets')).toEqual({ roundTrips: 7, locked: 4, commits: 1 });
    });

    it.each(['capture', 'void'] as const)(
      "%s: the authorization's wallet read before the transaction, then the same path",
      async (action) => {
        const { customer, walletId } = await customerWithWallet(t, 1000);
        const created = (await authorize(t, walletId, customer.key, { amount: 100 }).expect(201)).body;
        await warm(customer.key);
        const { res, trace } = await traced(() => settleAuthorization(t, created.id, customer.key, action));
        expect(res.status).toBe(200);
        expect(steps(trace, 'wallets')).toEqual(['SELECT authorizations', ...authorizationPath]);
        expect(cost(trace, 'wallets')).toEqual({ roundTrips: 8, locked: 4, commits: 1 });
      },
    );
  });

  describe('a replay of a completed key', () => {
    it('costs no round trip while Redis has the answer', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1000);
      const key = randomUUID();
      const first = await debit(t, walletId, customer.key, 100, key).expect(201);
      await warm(customer.key);
      const { res, trace } = await traced(() => debit(t, walletId, customer.key, 100, key));
      expect([res.status, res.headers['idempotent-replayed']]).toEqual([201, 'true']);
      expect(res.body).toEqual(first.body);
      expect(steps(trace)).toEqual([]);
    });

    it('when Redis lost it, the claim finds the answer; the batch still locks the row, and commits no effect', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1000);
      const key = randomUUID();
      const first = await debit(t, walletId, customer.key, 100, key).expect(201);
      const digest = createHash('sha256').update(key, 'utf8').digest('hex');
      await t.app.get<Redis>(REDIS).del(redisKey(t.config, 'idem', customer.id, digest));
      await warm(customer.key);
      const { res, trace } = await traced(() => debit(t, walletId, customer.key, 100, key));
      expect([res.status, res.headers['idempotent-replayed']]).toEqual([201, 'true']);
      expect(res.body).toEqual(first.body);
      expect(steps(trace, 'wallets')).toEqual([
        'START TRANSACTION',
        'SET LOCAL lock_timeout',
        'INSERT idempotency_keys',
        'SELECT idempotency_keys',
        '**SELECT wallet_transactions, wallets FOR UPDATE**',
        '**COMMIT**',
      ]);
      expect(cost(trace, 'wallets')).toEqual({ roundTrips: 6, locked: 2, commits: 1 });
    });
  });

  it('POST /api/transfers: one ordered lock of both wallets, per wallet the keyed read and a write, the transfer with the answer', async () => {
    const from = await customerWithWallet(t, 1000);
    const to = await customerWithWallet(t, 0);
    await warm(from.customer.key);
    const { res, trace } = await traced(() =>
      t
        .http()
        .post('/api/transfers')
        .set(bearer(from.customer.key))
        .set('Idempotency-Key', randomUUID())
        .send({ from_wallet_id: from.walletId, to_wallet_id: to.walletId, amount: 100 }),
    );
    expect(res.status).toBe(201);
    expect(steps(trace, 'wallets')).toEqual([
      'START TRANSACTION',
      'SET LOCAL lock_timeout',
      'INSERT idempotency_keys',
      '**SELECT wallets FOR UPDATE**',
      '**SELECT wallet_transactions, wallets FOR UPDATE**',
      '**WITH wallets, wallet_transactions, event_outbox**',
      '**SELECT wallet_transactions, wallets FOR UPDATE**',
      '**WITH wallets, wallet_transactions, event_outbox**',
      '**WITH transfers, idempotency_keys, event_outbox**',
      '**COMMIT**',
    ]);
    expect(cost(trace, 'wallets')).toEqual({ roundTrips: 10, locked: 7, commits: 1 });
  });

  describe('POST /api/orders/:id/pay and refund', () => {
    it('pay: one transaction; the wallet locked for 8 round trips, the product for the last 5', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 2 });
      await warm(f.customer.key);
      const { res, trace } = await traced(() => pay(t, f.customer.key, f.orderId, f.walletId));
      expect([res.status, res.body.status]).toEqual([200, 'paid']);
      expect(steps(trace, 'wallets')).toEqual([
        'START TRANSACTION',
        'SET LOCAL lock_timeout',
        'INSERT idempotency_keys',
        'SELECT orders FOR UPDATE',
        '**SELECT wallet_transactions, wallets FOR UPDATE**',
        '**WITH wallets, wallet_transactions, event_outbox**',
        '**INSERT payments**',
        '**SELECT products FOR UPDATE**',
        '**WITH products**',
        '**UPDATE orders**',
        // The order's event rides along with the stored answer: no round trip of its own.
        '**WITH event_outbox, idempotency_keys**',
        '**COMMIT**',
      ]);
      expect(cost(trace, 'wallets')).toEqual({ roundTrips: 12, locked: 8, commits: 1 });
      expect(cost(trace, 'products')).toEqual({ roundTrips: 12, locked: 5, commits: 1 });
      expect(cost(trace, 'orders')).toEqual({ roundTrips: 12, locked: 9, commits: 1 });
    });

    it('refund (all of a wallet payment): one transaction; the wallet locked for 10, the product for the last 5', async () => {
      const f = await pendingOrder(t, { balance: 10000, price: 1000, quantity: 2 });
      await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
      const { res, trace } = await traced(() => refund(t, f.orderId));
      expect([res.status, res.body.status]).toEqual([200, 'refunded']);
      expect(steps(trace, 'wallets')).toEqual([
        'START TRANSACTION',
        'SET LOCAL lock_timeout',
        'INSERT idempotency_keys',
        'SELECT orders FOR UPDATE',
        'SELECT payments FOR UPDATE',
        '**SELECT wallet_transactions, wallets FOR UPDATE**',
        '**WITH wallets, wallet_transactions, event_outbox**',
        '**INSERT refunds**',
        '**UPDATE payments**',
        '**SELECT products FOR UPDATE**',
        '**WITH products**',
        '**UPDATE orders**',
        // The order's event rides along with the stored answer: no round trip of its own.
        '**WITH event_outbox, idempotency_keys**',
        '**COMMIT**',
      ]);
      expect(cost(trace, 'wallets')).toEqual({ roundTrips: 14, locked: 9, commits: 1 });
      expect(cost(trace, 'products')).toEqual({ roundTrips: 14, locked: 5, commits: 1 });
    });
  });

  it('POST /api/bookings: the wallet read before the transaction, then the ledger path and the booking', async () => {
    const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
    const offerId = await flightOfferId(t);
    await warm(customer.key);
    const { res, trace } = await traced(() => bookFlight(t, customer.key, offerId, walletId));
    expect(res.status).toBe(202);
    expect(steps(trace, 'wallets')).toEqual([
      'SELECT wallets',
      'START TRANSACTION',
      'SET LOCAL lock_timeout',
      'INSERT idempotency_keys',
      '**SELECT wallet_transactions, wallets FOR UPDATE**',
      '**WITH wallets, wallet_transactions, event_outbox**',
      '**INSERT bookings**',
      '**WITH idempotency_keys**',
      '**COMMIT**',
    ]);
    expect(cost(trace, 'wallets')).toEqual({ roundTrips: 9, locked: 5, commits: 1 });
  });

  it('the API key is looked up once: the next request with it finds it in the cache', async () => {
    const product = await createProduct(t, 10);
    const buyer = await createCustomer(t, 'New key');
    const first = await traced(() => placeHold(t, buyer.key, product.id, 1));
    const second = await traced(() => placeHold(t, buyer.key, product.id, 1));
    expect([first.res.status, second.res.status]).toEqual([201, 201]);
    const transaction = [
      'START TRANSACTION',
      'SET LOCAL lock_timeout',
      'SELECT products FOR UPDATE',
      'WITH products, holds, event_outbox',
      'COMMIT',
    ];
    expect(steps(first.trace)).toEqual(['SELECT accounts', ...transaction]);
    expect(steps(second.trace)).toEqual(transaction);
  });
});
