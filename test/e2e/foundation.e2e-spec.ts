import { PassThrough } from 'stream';
import { Controller, Get, Post, StreamableFile } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Public } from '../../src/shared/http/auth';
import { metricIn } from '../support/metrics';
import { ADMIN_KEY, createCustomer, createTestApp, TestApp } from '../support/test-app';

/** Lets the slow handler finish; the test calls it once it has the answer. */
let finishSlow: () => void = () => undefined;

/** Test-only routes around the real app: one slower than the request timeout. */
@Controller('test-only')
class SlowController {
  /** Waits for the test, not for the clock, so it outlasts the request timeout however slow the machine. */
  @Public()
  @Get('slow')
  async slow(): Promise<{ ok: true }> {
    await new Promise<void>((resolve) => (finishSlow = resolve));
    return { ok: true };
  }

  /**
   * An answer whose headers and first bytes are out at once and whose end comes after the request
   * timeout of the test app below (200 ms): timers fire in the order of their deadlines.
   */
  @Public()
  @Get('stream')
  stream(): StreamableFile {
    const body = new PassThrough();
    body.write('first, ');
    setTimeout(() => body.end('last'), 400);
    return new StreamableFile(body, { type: 'text/plain' });
  }

  @Public()
  @Post('echo')
  echo(): { ok: true } {
    return { ok: true };
  }
}

const PROBLEM = /^application\/problem\+json/;

describe('foundation (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('accounts', () => {
    it('the admin creates an account whose key then identifies it', async () => {
      const created = await t
        .http()
        .post('/api/accounts')
        .set('Authorization', `Bearer ${ADMIN_KEY()}`)
        .send({ name: 'Alice' })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Alice',
        api_key: expect.stringMatching(/^cwk_/),
        created_at: expect.any(String),
      });
      const me = await t
        .http()
        .get('/api/accounts/me')
        .set('Authorization', `Bearer ${created.body.api_key}`)
        .expect(200);
      expect(me.body).toEqual({ id: created.body.id, name: 'Alice', role: 'customer' });
    });

    it('the admin key is the admin', async () => {
      const me = await t
        .http()
        .get('/api/accounts/me')
        .set('Authorization', `Bearer ${ADMIN_KEY()}`)
        .expect(200);
      expect(me.body).toMatchObject({ role: 'admin' });
    });

    it('stores only a hash of the key', async () => {
      const { key, id } = await createCustomer(t, 'Hashed');
      const ds = t.app.get(DataSource);
      const [row] = await ds.query('SELECT api_key_hash FROM accounts WHERE id = $1', [id]);
      expect(row.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.api_key_hash).not.toContain(key);
    });
  });

  describe('authentication', () => {
    it('401 without a key, with problem+json and WWW-Authenticate-free body', async () => {
      const res = await t.http().get('/api/accounts/me').expect(401);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 401, code: 'unauthorized', type: 'about:blank' });
    });

    it('401 with an unknown key', async () => {
      const res = await t.http().get('/api/accounts/me').set('Authorization', 'Bearer cwk_nope').expect(401);
      expect(res.body.code).toBe('unauthorized');
    });

    it('403 when a customer calls an admin endpoint', async () => {
      const { key } = await createCustomer(t);
      const res = await t
        .http()
        .post('/api/accounts')
        .set('Authorization', `Bearer ${key}`)
        .send({ name: 'Mallory' })
        .expect(403);
      expect(res.body).toMatchObject({ status: 403, code: 'forbidden' });
    });
  });

  describe('bad input', () => {
    const admin = () => ({ Authorization: `Bearer ${ADMIN_KEY()}` });

    it('400 validation_failed naming the field', async () => {
      const res = await t.http().post('/api/accounts').set(admin()).send({}).expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
    });

    it('400 for unknown fields', async () => {
      const res = await t
        .http()
        .post('/api/accounts')
        .set(admin())
        .send({ name: 'A', role: 'admin' })
        .expect(400);
      expect(res.body.errors).toEqual([{ field: 'role', message: 'property role should not exist' }]);
    });

    it('400 for a wrong type', async () => {
      const res = await t.http().post('/api/accounts').set(admin()).send({ name: 42 }).expect(400);
      expect(res.body.errors[0].field).toBe('name');
    });

    it('400 for malformed JSON', async () => {
      const res = await t
        .http()
        .post('/api/accounts')
        .set(admin())
        .set('Content-Type', 'application/json')
        .send('{"name":')
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('validation_failed');
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('413 for a body over 64 kB', async () => {
      const res = await t
        .http()
        .post('/api/accounts')
        .set(admin())
        .send({ name: 'x'.repeat(70 * 1024) })
        .expect(413);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('payload_too_large');
    });

    it('404 for an unknown route', async () => {
      const res = await t.http().get('/api/nothing-here').expect(404);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('not_found');
    });
  });

  describe('request ids, health, metrics, docs', () => {
    it('echoes x-request-id and puts it in problems', async () => {
      const res = await t.http().get('/api/accounts/me').set('x-request-id', 'trace-123').expect(401);
      expect(res.headers['x-request-id']).toBe('trace-123');
      expect(res.body.request_id).toBe('trace-123');
      const fresh = await t.http().get('/health');
      expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('reports database and Redis health', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.details).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    });

    it('exposes request counts and latency by route and status', async () => {
      const labels = { method: 'GET', route: '/api/accounts/me', status: '401' };
      const read = async () => {
        const res = await t.http().get('/metrics').expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        return [
          metricIn(res.text, 'http_requests_total', labels),
          metricIn(res.text, 'http_request_duration_seconds_count', labels),
        ];
      };
      const [requests, timed] = await read();
      await t.http().get('/api/accounts/me').expect(401);
      await t.http().get('/api/accounts/me').expect(401);
      expect(await read()).toEqual([requests + 2, timed + 2]);
    });

    it('serves the OpenAPI document with the bearer scheme', async () => {
      const res = await t.http().get('/docs-json').expect(200);
      expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(res.body.paths['/api/accounts'].post).toMatchObject({
        operationId: 'AccountsController_create',
      });
      expect(res.body.info.description).toContain('86400 seconds');
      await t.http().get('/docs').expect(200);
    });
  });
});

describe('request timeout (e2e)', () => {
  // A timeout of its own app: the other tests' requests get the default, however loaded the machine.
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { REQUEST_TIMEOUT_MS: 200 }, controllers: [SlowController] });
  });
  afterAll(() => t.close());

  it('503 problem+json when a request outlives the timeout', async () => {
    const res = await t.http().get('/test-only/slow');
    finishSlow();
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('service_unavailable');
  });

  it('lets an answer already under way when the timeout comes finish as it is', async () => {
    const res = await t
      .http()
      .get('/test-only/stream')
      .buffer(true)
      .parse((stream, done) => {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
        stream.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.body).toBe('first, last');
    // The app still answers.
    await t.http().post('/test-only/echo').expect(201);
  });
});

describe('rate limiting (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { RATE_LIMIT_PER_MINUTE: 3 } });
  });
  afterAll(() => t.close());

  it('answers 429 rate_limited with Retry-After past the limit, per key', async () => {
    const { key } = await createCustomer(t, 'Busy');
    for (let i = 0; i < 3; i++) {
      await t.http().get('/api/accounts/me').set('Authorization', `Bearer ${key}`).expect(200);
    }
    const res = await t.http().get('/api/accounts/me').set('Authorization', `Bearer ${key}`).expect(429);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('rate_limited');
    // The app's clock has not moved since the window began.
    expect(res.headers['retry-after']).toBe('60');
    const { key: other } = await createCustomer(t, 'Calm');
    await t.http().get('/api/accounts/me').set('Authorization', `Bearer ${other}`).expect(200);
  });
});
