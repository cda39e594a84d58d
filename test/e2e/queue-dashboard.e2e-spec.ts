import { ADMIN_KEY, createCustomer, createTestApp, TestApp } from '../support/test-app';

describe('queue dashboard (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
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
      'bookings',
      'hold-expiry',
      'idempotency',
      'order-expiry',
    ]);
  });
});
