import type { Server } from 'http';
import { ADMIN_KEY, createCustomer, createTestApp, TestApp } from '../support/test-app';
import { rawRequest } from '../support/raw-http';

describe('queue dashboard (e2e)', () => {
  let t: TestApp;
  let server: Server;
  const admin = { Authorization: `Bearer ${process.env.ADMIN_API_KEY}` };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    server = t.app.getHttpServer() as Server;
  });
  afterAll(() => t.close());

  it('refuses without the admin key, with a problem and a Basic challenge', async () => {
    const customer = await createCustomer(t, 'Curious');
    for (const auth of [
      undefined,
      `Bearer ${customer.key}`,
      `Basic ${Buffer.from(`x:${customer.key}`).toString('base64')}`,
    ]) {
      const req = t.http().get('/admin/queues');
      const res = await (auth ? req.set('Authorization', auth) : req).expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="queues"/);
      expect(res.body).toMatchObject({ status: 401, code: 'unauthorized' });
    }
    await t.http().get('/admin/queues/api/queues').expect(401);
  });

  it('serves the board and its API to the admin key, as Bearer or as the Basic password', async () => {
    const page = await t
      .http()
      .get('/admin/queues')
      .set('Authorization', `Bearer ${ADMIN_KEY()}`)
      .expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const basic = `Basic ${Buffer.from(`ops:${ADMIN_KEY()}`).toString('base64')}`;
    const api = await t.http().get('/admin/queues/api/queues').set('Authorization', basic).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([
      'authorization-expiry',
      'bookings',
      'hold-expiry',
      'idempotency',
      'order-expiry',
      'webhook-deliveries',
    ]);
  });

  // Every spelling a client can send for a dashboard path: the router decodes percent-escapes
  // before it routes, so a gate that compared the raw URL let these through.
  const spellings: Array<[string, string]> = [
    ['PUT', '/admin/%71ueues/api/queues/bookings/pause'],
    ['PUT', '/admin/queue%73/api/queues/bookings/pause'],
    ['PUT', '/%61dmin/queues/api/queues/bookings/pause'],
    ['PUT', '/admin%2Fqueues/api/queues/bookings/pause'],
    ['PUT', '/admin/queues/api/queues/%62ookings/pause'],
    ['GET', '/%61%64%6d%69%6e/%71%75%65%75%65%73/api/queues'],
    ['GET', '/admin/%51ueues/api/queues'],
    ['GET', '/ADMIN/QUEUES/api/queues'],
    ['GET', '/Admin/Queues/api/queues'],
    ['GET', '//admin/queues/api/queues'],
    ['GET', '/admin//queues/api/queues'],
    ['GET', '/admin/queues//api/queues'],
    ['GET', '/admin/./queues/api/queues'],
    ['GET', '/admin/x/../queues/api/queues'],
    ['GET', '/admin/queues/api/queues/'],
    ['GET', '/admin/queues/api/queues?x=/y'],
    ['GET', '/admin/queues;x/api/queues'],
    ['GET', '/admin/queues/api/redis/stats'],
    ['GET', '/admin/queues/static/index.js'],
    ['GET', '/admin/queues/'],
    ['HEAD', '/admin/queues'],
    ['HEAD', '/admin/%71ueues'],
    ['OPTIONS', '/admin/queues/api/queues'],
    ['GET', 'http://localhost/admin/queues/api/queues'],
    ['GET', 'http://localhost/admin/%71ueues/api/queues'],
  ];

  it.each(spellings)('%s %s: never answered without the admin key', async (method, target) => {
    const answer = await rawRequest(server, method, target);
    expect([401, 404]).toContain(answer.status);
    if (method !== 'HEAD') expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body).not.toMatch(/bookings|redis_version|"queues"/);
  });

  it('the spellings the router routes to the dashboard work with the admin key, and nothing was paused without it', async () => {
    const answer = await rawRequest(server, 'GET', '/admin/%71ueues/api/queues', admin);
    expect(answer.status).toBe(200);
    const queues = JSON.parse(answer.body).queues as Array<{ name: string; isPaused: boolean }>;
    expect(queues.find((q) => q.name === 'bookings')?.isPaused).toBe(false);
  });

  it("answers the dashboard API's own errors as problem documents, and bad input as a 400", async () => {
    for (const [method, target, body, status] of [
      ['POST', '/admin/queues/api/queues/bookings/add', '{"name":', 400],
      ['POST', '/admin/queues/api/queues/bookings/add', '[1,2]', 400],
      ['PUT', '/admin/queues/api/queues/bookings/clean/zzz', '', 400],
      ['GET', '/admin/queues/api/queues/nope/1', '', 404],
      ['PUT', '/admin/queues/api/queues/nope/pause', '', 404],
    ] as const) {
      const headers: Record<string, string> = { ...admin };
      if (body) headers['Content-Type'] = 'application/json';
      const answer = await rawRequest(server, method, target, headers, body);
      expect({ target, status: answer.status }).toEqual({ target, status });
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(answer.body)).toMatchObject({ status });
      expect(answer.headers['x-request-id']).toBeTruthy();
    }
  });
});
