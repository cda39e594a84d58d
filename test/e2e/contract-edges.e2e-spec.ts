import { randomUUID } from 'crypto';
import type request from 'supertest';
import { type OpenApiContract, openApiContract } from '../support/openapi-contract';
import { createProduct } from '../support/inventory-fixtures';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

/** An answer as supertest gives it, made up, for the test client's own check. */
function answer(
  method: string,
  path: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): request.Response {
  return {
    req: { method, path },
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
    text: JSON.stringify(body),
  } as unknown as request.Response;
}

const ORDER = {
  id: randomUUID(),
  account_id: randomUUID(),
  hold_id: randomUUID(),
  product_id: randomUUID(),
  quantity: 1,
  unit_price: 1999,
  amount: 1999,
  refunded_amount: 0,
  currency: 'USD',
  status: 'pending_payment',
  payment_due_at: '2026-12-24T10:00:00.000Z',
  payment: null,
  created_at: '2026-12-24T09:45:00.000Z',
  updated_at: '2026-12-24T09:45:00.000Z',
};

describe('the test client checks every answer against openapi.json', () => {
  let contract: OpenApiContract;

  beforeAll(async () => {
    contract = await openApiContract();
  });

  const check = (res: request.Response) => () => contract.check(res);

  it('accepts a new order, unpaid (payment: null), with its Location', () => {
    expect(
      check(answer('POST', '/api/orders', 201, ORDER, { location: `/api/orders/${ORDER.id}` })),
    ).not.toThrow();
  });

  it('refuses a field, a status, a content type or a type the document does not declare', () => {
    const location = { location: `/api/orders/${ORDER.id}` };
    expect(check(answer('POST', '/api/orders', 201, { ...ORDER, secret: 'x' }, location))).toThrow(
      /additional properties.*secret/,
    );
    expect(check(answer('POST', '/api/orders', 201, { ...ORDER, quantity: 1.5 }, location))).toThrow(
      /quantity: must be integer/,
    );
    expect(check(answer('POST', '/api/orders', 201, ORDER))).toThrow(/header Location is required/);
    expect(check(answer('GET', `/api/orders/${ORDER.id}`, 418, ORDER))).toThrow(/status 418 is not declared/);
    expect(
      check(answer('GET', `/api/orders/${ORDER.id}`, 200, ORDER, { 'content-type': 'text/html' })),
    ).toThrow(/content type "text\/html" is not declared/);
  });

  it('holds a request no operation describes to a problem document, outside a short list', () => {
    const problem = {
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      request_id: randomUUID(),
    };
    const asProblem = { 'content-type': 'application/problem+json' };
    expect(check(answer('GET', '/api/nothing-here', 404, problem, asProblem))).not.toThrow();
    expect(check(answer('GET', '/api/nothing-here', 200, {}))).toThrow(/no operation/);
    expect(check(answer('GET', '/api/nothing-here', 404, { error: 'nope' }))).toThrow(/not declared/);
    expect(
      check(answer('GET', '/demo/demo.js', 200, 'x', { 'content-type': 'text/javascript' })),
    ).not.toThrow();
    expect(check(answer('GET', '/%61dmin/queues/api/queues', 200, {}))).not.toThrow();
  });
});

describe('contract edges (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('a 201 that creates a resource carries its Location, where its GET answers, on a replay too', async () => {
    const { customer, walletId } = await customerWithWallet(t, 5000);
    const other = await customerWithWallet(t, 0);
    const product = await createProduct(t, 5);
    const creations: Array<{ path: string; key: string; body: Record<string, unknown> }> = [
      { path: '/api/wallets', key: customer.key, body: { currency: 'EUR' } },
      {
        path: '/api/products',
        key: ADMIN_KEY(),
        body: { name: 'Lamp', price: 500, currency: 'USD', stock: 1 },
      },
      { path: '/api/holds', key: customer.key, body: { product_id: product.id, quantity: 1 } },
      {
        path: '/api/transfers',
        key: customer.key,
        body: { from_wallet_id: walletId, to_wallet_id: other.walletId, amount: 100 },
      },
    ];
    for (const creation of creations) {
      const idempotencyKey = randomUUID();
      const send = () =>
        t
          .http()
          .post(creation.path)
          .set(bearer(creation.key))
          .set('Idempotency-Key', idempotencyKey)
          .send(creation.body)
          .expect(201);
      const first = await send();
      expect(first.headers.location).toBe(`${creation.path}/${first.body.id}`);
      const read = await t.http().get(first.headers.location).set(bearer(creation.key)).expect(200);
      expect(read.body.id).toBe(first.body.id);
      const replay = await send();
      expect(replay.headers).toMatchObject({
        'idempotent-replayed': 'true',
        location: first.headers.location,
      });
      if (creation.path === '/api/holds') {
        const order = await t
          .http()
          .post('/api/orders')
          .set(bearer(customer.key))
          .send({ hold_id: first.body.id })
          .expect(201);
        expect(order.headers.location).toBe(`/api/orders/${order.body.id}`);
        await t.http().get(order.headers.location).set(bearer(customer.key)).expect(200);
      }
    }
  });

  it('a refusal carries no Location', async () => {
    const { customer } = await customerWithWallet(t, 0);
    const res = await t
      .http()
      .post('/api/wallets')
      .set(bearer(customer.key))
      .send({ currency: 'USD' })
      .expect(409);
    expect(res.headers.location).toBeUndefined();
  });

  it('browser-facing pages send a CSP, nosniff, no referrer, and may not be framed; Swagger UI keeps no key', async () => {
    for (const path of ['/docs', '/docs/swagger-ui-init.js', '/docs-json', '/demo/', '/demo/demo.js']) {
      const res = await t.http().get(path).expect(200);
      expect({ path, headers: res.headers }).toEqual({
        path,
        headers: expect.objectContaining({
          'content-security-policy': expect.stringMatching(/frame-ancestors 'none'/),
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'x-frame-options': 'DENY',
        }),
      });
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    }
    const init = await t.http().get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toMatch(/"persistAuthorization":\s*false/);
  });
});

describe('METRICS_TOKEN (e2e)', () => {
  const token = `metrics-${randomUUID()}`;
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ config: { METRICS_TOKEN: token } });
  });
  afterAll(() => t.close());

  it('when set, /metrics answers only its bearer token; anything else is a 401 problem', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789',
      `Bearer ${ADMIN_KEY()}`,
      token,
    ]) {
      const req = t.http().get('/metrics');
      if (authorization) req.set('Authorization', authorization);
      const res = await req.expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 401, code: 'unauthorized' });
    }
    const ok = await t.http().get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    expect(ok.text).toContain('http_requests_total');
  });
});
