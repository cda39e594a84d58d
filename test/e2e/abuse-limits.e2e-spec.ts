import { randomUUID } from 'crypto';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { connect } from 'net';
import type { Pool } from 'pg';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config';
import { API_KEY_CACHE_MS } from '../../src/modules/account/application/authenticate-api-key.service';
import { MetricsRegistry } from '../../src/shared/observability/metrics';
import { pendingOrder, sendWebhook, succeeded } from '../support/payment-fixtures';
import { ADMIN_KEY, createCustomer, createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/wallet-fixtures';

/** Each app counts in its own Redis namespace, so no other test file's requests share its windows. */
const isolated = (config: Partial<AppConfig>) =>
  createTestApp({
    config: { REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}:${randomUUID()}`, ...config },
  });

const junk = () => ({ Authorization: `Bearer junk_${randomUUID()}` });

/** Requests the limiter let through uncounted (its Redis call outlived the command timeout), from the app's registry. */
async function uncounted(t: TestApp): Promise<number> {
  const counter = t.app.get(MetricsRegistry).getSingleMetric('rate_limit_unenforced_total');
  return counter ? ((await counter.get()).values[0]?.value ?? 0) : 0;
}

/**
 * Uses up `limit` requests of a window, each answered 200. On a loaded machine a request whose
 * Redis call outlives the command timeout goes through uncounted (the limiter fails open, by
 * design); such a request, in the limiter's own count, is made up for.
 */
async function useUp(t: TestApp, limit: number, send: () => request.Test): Promise<void> {
  const before = await uncounted(t);
  for (let sent = 0; sent - ((await uncounted(t)) - before) < limit; sent++) await send().expect(200);
}

describe('rate limits (e2e)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await isolated({ RATE_LIMIT_PER_MINUTE: 20 });
  });
  afterEach(() => t.close());

  it('30 requests with 30 junk tokens from one address, at a limit of 20: the last 10 are 429', async () => {
    const before = await uncounted(t);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await t.http().get('/api/accounts/me').set(junk())).status);
    // Exactly 20 counted 401s, plus any request the limiter could not count (see useUp).
    const missed = (await uncounted(t)) - before;
    expect(statuses).toEqual([...Array(20 + missed).fill(401), ...Array(10 - missed).fill(429)]);
  });

  it('25 concurrent requests with one key at a limit of 20: 20 answered, each with its own remaining count, 5 refused', async () => {
    const customer = await createCustomer(t);
    const before = await uncounted(t);
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => t.http().get('/api/accounts/me').set(bearer(customer.key))),
    );
    const missed = (await uncounted(t)) - before;
    const answered = answers.filter((res) => res.status === 200);
    expect(answered).toHaveLength(20 + missed);
    expect(answers.filter((res) => res.status === 429)).toHaveLength(5 - missed);
    // Counted together or alone, each request took its own place in the window: r = 19, 18, … 0.
    const remaining = answered
      .filter((res) => res.headers['ratelimit'] !== undefined)
      .map((res) => Number(/r=(\d+)/.exec(res.headers['ratelimit'])?.[1]))
      .sort((a, b) => b - a);
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
  });

  it('public routes count per address whatever token is sent, and wrong keys on the queue dashboard count too', async () => {
    for (let i = 0; i < 10; i++) await t.http().get('/api/products').set(junk()).expect(200);
    for (let i = 0; i < 10; i++) await t.http().get('/admin/queues').set(junk()).expect(401);
    const limited = await t.http().get('/admin/queues').set(junk()).expect(429);
    expect(limited.body.code).toBe('rate_limited');
    await t.http().get('/api/products').expect(429);
  });

  it('a valid key counts on its own, across all routes together, not per route', async () => {
    const customer = await createCustomer(t);
    const routes = ['/api/accounts/me', '/api/products', `/api/wallets/${randomUUID()}`, '/api/accounts/me'];
    for (let i = 0; i < 20; i++) {
      const res = await t
        .http()
        .get(routes[i % routes.length])
        .set(bearer(customer.key));
      expect(res.status).not.toBe(429);
    }
    const res = await t.http().get('/api/products').set(bearer(customer.key)).expect(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    // The address is not limited by what the key did, nor another key by it.
    await t.http().get('/api/products').expect(200);
    const other = await createCustomer(t);
    await t.http().get('/api/accounts/me').set(bearer(other.key)).expect(200);
  });

  it('Retry-After is the time left in the window, with RateLimit-Policy and RateLimit headers', async () => {
    const first = await t.http().get('/api/products').expect(200);
    expect(first.headers['ratelimit-policy']).toMatch(/^"default"; q=20; w=60/);
    expect(first.headers['ratelimit']).toBe('"default"; r=19; t=60');
    for (let i = 0; i < 19; i++) await t.http().get('/api/products').expect(200);
    t.clock.advance(2_100);
    const res = await t.http().get('/api/products').expect(429);
    // 57.9 s are left, rounded up: a client that waits Retry-After seconds finds the window over.
    expect(res.headers['retry-after']).toBe('58');
    expect(res.headers['ratelimit']).toBe('"default"; r=0; t=58');
    t.clock.advance(57_899);
    expect((await t.http().get('/api/products').expect(429)).headers['retry-after']).toBe('1');
    t.clock.advance(1);
    const next = await t.http().get('/api/products').expect(200);
    expect(next.headers['ratelimit']).toBe('"default"; r=19; t=60');
  });

  it('a limited client that sends X-Forwarded-For stays limited (no TRUST_PROXY)', async () => {
    await useUp(t, 20, () => t.http().get('/api/products'));
    for (const forwarded of ['203.0.113.7', '198.51.100.1, 203.0.113.9', '10.0.0.1']) {
      await t.http().get('/api/products').set('X-Forwarded-For', forwarded).expect(429);
    }
  });

  it('signed webhooks and /health are not limited', async () => {
    const order = await pendingOrder(t);
    for (let i = 0; i < 25; i++) await t.http().get('/api/products').set(junk());
    await t.http().get('/api/products').expect(429);
    for (let i = 0; i < 3; i++) {
      const health = await t.http().get('/health');
      expect(health.status).not.toBe(429);
    }
    const res = await sendWebhook(t, succeeded({ order_id: order.orderId, amount: order.amount }));
    expect(res.status).toBe(200);
  });

  it('with its address over the limit, 200 requests with distinct junk keys are 429 and cost the database nothing', async () => {
    await useUp(t, 20, () => t.http().get('/api/products'));
    const pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    let checkouts = 0;
    const count = () => checkouts++;
    pool.on('acquire', count);
    const statuses = new Set<number>();
    try {
      for (let i = 0; i < 200; i++) statuses.add((await t.http().get('/api/accounts/me').set(junk())).status);
    } finally {
      pool.off('acquire', count);
    }
    expect([...statuses]).toEqual([429]);
    expect(checkouts).toBe(0);
  });

  it('a key first seen by this process counts against its account, not its address', async () => {
    const customer = await createCustomer(t);
    const fresh = await isolated({ RATE_LIMIT_PER_MINUTE: 20 });
    try {
      // A new process knows no key yet: the lookup is paid for by the address, then moved to the account.
      await fresh.http().get('/api/accounts/me').set(bearer(customer.key)).expect(200);
      const res = await fresh.http().get('/api/products').expect(200);
      expect(res.headers['ratelimit']).toBe('"default"; r=19; t=60');
    } finally {
      await fresh.close();
    }
  });

  it('a valid key due for its recheck still counts against its account, not an address over its limit', async () => {
    const customer = await createCustomer(t);
    await t.http().get('/api/accounts/me').set(bearer(customer.key)).expect(200);
    await useUp(t, 20, () => t.http().get('/api/products'));
    t.clock.advance(API_KEY_CACHE_MS);
    const res = await t.http().get('/api/accounts/me').set(bearer(customer.key)).expect(200);
    expect(res.headers['ratelimit']).toMatch(/^"default"; r=18; /);
  });

  it('forged webhooks count against their address: 20 are 401, then 429; a validly signed one still goes through', async () => {
    const order = await pendingOrder(t);
    const before = await uncounted(t);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const forged = await sendWebhook(t, succeeded({ order_id: order.orderId, amount: order.amount }), {
        signature: 'v1,Zm9yZ2Vk',
      });
      statuses.push(forged.status);
    }
    const missed = (await uncounted(t)) - before;
    expect(statuses).toEqual([...Array(20 + missed).fill(401), ...Array(5 - missed).fill(429)]);
    const signed = await sendWebhook(t, succeeded({ order_id: order.orderId, amount: order.amount }));
    expect(signed.status).toBe(200);
  });

  it('the queue dashboard answers without X-Powered-By', async () => {
    const res = await t.http().get('/admin/queues').set(bearer(ADMIN_KEY())).expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('rate limits behind a trusted proxy (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await isolated({ RATE_LIMIT_PER_MINUTE: 5, TRUST_PROXY: 'loopback' });
  });
  afterAll(() => t.close());

  it('counts the client named by a TRUST_PROXY address, one window per client', async () => {
    await useUp(t, 5, () => t.http().get('/api/products').set('X-Forwarded-For', '203.0.113.7'));
    await t.http().get('/api/products').set('X-Forwarded-For', '203.0.113.7').expect(429);
    await t.http().get('/api/products').set('X-Forwarded-For', '203.0.113.8').expect(200);
  });
});

describe('slow clients (e2e)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await isolated({ REQUEST_TIMEOUT_MS: 1000 });
    await t.app.listen(0, '127.0.0.1');
    port = ((t.app.getHttpServer() as Server).address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  /** Sends `head`, then one byte every 200 ms; resolves with what came back once the connection closed. */
  function trickle(head: string): Promise<string> {
    return new Promise((resolve) => {
      let answer = '';
      const socket = connect(port, '127.0.0.1', () => socket.write(head));
      const drip = setInterval(() => socket.writable && socket.write('a'), 200);
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      // Lets go of a connection the server never cuts, so that the test fails instead of hanging.
      const giveUp = setTimeout(() => socket.destroy(), 10_000);
      socket.on('close', () => {
        clearInterval(drip);
        clearTimeout(giveUp);
        resolve(answer);
      });
    });
  }

  it('a body trickled one byte at a time is cut by the request timeout', async () => {
    const answer = await trickle(
      'POST /api/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 408,
      code: 'request_timeout',
    });
  });

  it('what the HTTP parser refuses (a NUL in a header, headers over 16 kB) is a problem document too', async () => {
    for (const [head, status] of [
      ['GET /api/products HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n', 400],
      [`GET /api/products HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431],
    ] as const) {
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        const socket = connect(port, '127.0.0.1', () => socket.write(head));
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(text));
      });
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status}`));
      expect(answer).toMatch(/x-request-id: /i);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
        status,
        code: 'validation_failed',
      });
    }
  });

  it('headers trickled one byte at a time are cut by the request timeout', async () => {
    const answer = await trickle('GET /api/products HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});
