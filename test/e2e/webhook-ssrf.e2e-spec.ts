import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { EventRecorder } from '../../src/modules/event/application/event-recorder';
import type { HostResolver } from '../../src/modules/event/application/ports';
import { HOST_RESOLVER } from '../../src/modules/event/event.tokens';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { eventually } from '../support/inventory-fixtures';
import { createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/** DNS as the test says it is: names resolve to what `records` holds now, others do not resolve. */
class ControlledResolver implements HostResolver {
  readonly records = new Map<string, string[]>();
  readonly asked: string[] = [];

  async resolve(host: string): Promise<string[]> {
    this.asked.push(host);
    const addresses = this.records.get(host);
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses;
  }
}

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

describe('webhook endpoints and private addresses (e2e, WEBHOOK_ALLOW_PRIVATE unset)', () => {
  let t: TestApp;
  const dns = new ControlledResolver();
  const receiver = new WebhookReceiver();
  let port: string;

  beforeAll(async () => {
    port = new URL(await receiver.start()).port;
    t = await createTestApp({ sweepers: true, overrides: [[HOST_RESOLVER, dns]] });
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const register = (key: string, url: string) =>
    t
      .http()
      .post('/api/webhook-endpoints')
      .set(bearer(key))
      .send({ url, enabled_events: ['*'] });

  it.each([
    ['http://hooks.example.com/x', 'https'],
    ['https://127.0.0.1/x', 'loopback'],
    ['https://[::1]/x', 'IPv6 loopback'],
    ['https://[::ffff:127.0.0.1]/x', 'IPv4-mapped loopback'],
    ['https://169.254.169.254/latest/meta-data', 'link-local (cloud metadata)'],
    ['https://[fe80::1]/x', 'IPv6 link-local'],
    ['https://10.1.2.3/x', 'private'],
    ['https://0x7f000001/x', 'loopback spelled in hex'],
    ['https://internal.example.com/x', 'a name resolving to a private address'],
    ['https://mixed.example.com/x', 'a name resolving to a public and a loopback address'],
    ['https://nowhere.example.com/x', 'a name that does not resolve'],
    ['https://user:pass@hooks.example.com/x', 'credentials in the URL'],
    ['not a url', 'not a URL'],
  ])('refuses %s at registration (%s) with 422 invalid_webhook_url', async (url) => {
    dns.records.set('hooks.example.com', ['93.184.215.14']);
    dns.records.set('internal.example.com', ['10.0.0.7']);
    dns.records.set('mixed.example.com', ['93.184.215.14', '127.0.0.1']);
    const alice = await createCustomer(t, 'Alice');
    const res = await register(alice.key, url).expect(422);
    expect(res.body).toMatchObject({ status: 422, code: 'invalid_webhook_url' });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses a change of URL to a private address', async () => {
    dns.records.set('hooks.example.com', ['93.184.215.14']);
    const alice = await createCustomer(t, 'Alice');
    const created = await register(alice.key, 'https://hooks.example.com/x').expect(201);
    const res = await t
      .http()
      .patch(`/api/webhook-endpoints/${created.body.id}`)
      .set(bearer(alice.key))
      .send({ url: 'https://127.0.0.1/x' })
      .expect(422);
    expect(res.body.code).toBe('invalid_webhook_url');
  });

  it('refuses to deliver once the name resolves to a loopback address, without connecting', async () => {
    const host = `rebind-${randomUUID().slice(0, 8)}.example.com`;
    dns.records.set(host, ['93.184.215.14']);
    const bob = await createCustomer(t, 'Bob');
    const created = await register(bob.key, `https://${host}:${port}/hooks`).expect(201);
    receiver.secret = created.body.secret;

    // The name now points at the receiver on this machine.
    dns.records.set(host, ['127.0.0.1']);
    const resourceId = randomUUID();
    await t.app.get(UnitOfWork).run(async (em) =>
      t.app.get(EventRecorder).record(em, [
        {
          type: 'webhook_endpoint.disabled',
          accountId: bob.id,
          resourceId,
          resource: {
            id: resourceId,
            accountId: bob.id,
            url: 'https://example.com',
            enabledEvents: ['*'],
            description: null,
            status: 'disabled',
            failingSince: null,
            createdAt: new Date(),
            updatedAt: new Date(),
          },
        },
      ]),
    );

    const db = t.app.get(DataSource);
    const [delivery] = await eventually(
      () =>
        db.query(
          `SELECT attempt, status, response_status, error FROM webhook_deliveries WHERE endpoint_id = $1`,
          [created.body.id],
        ),
      (rows: Array<{ attempt: number }>) => rows[0]?.attempt === 1,
      15_000,
    );
    expect(delivery).toEqual({
      attempt: 1,
      status: 'pending',
      response_status: null,
      error: 'refused: 127.0.0.1 is not a public address',
    });
    expect(receiver.received).toEqual([]);
    expect(receiver.refused).toEqual([]);
    expect(dns.asked).toContain(host);
  });
});
