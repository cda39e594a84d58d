import { randomUUID } from 'crypto';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../../src/shared/redis/redis.module';
import { eventually } from '../support/inventory-fixtures';
import { pay, pendingOrder, refund } from '../support/payment-fixtures';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/test-app';
import { bearer, credit, customerWithWallet, debit } from '../support/wallet-fixtures';
import { type Received, WebhookReceiver } from '../support/webhook-receiver';

const SECOND = 1000;

/** Registers a webhook endpoint of the caller's for every event type; the receiver learns its secret. */
async function subscribe(t: TestApp, key: string, receiver: WebhookReceiver, url: string): Promise<void> {
  const created = await t
    .http()
    .post('/api/webhook-endpoints')
    .set(bearer(key))
    .send({ url, enabled_events: ['*'] })
    .expect(201);
  receiver.secret = created.body.secret;
}

/** What a receiver that deduplicates by `webhook-id` keeps: the first delivered message of each id. */
function deduplicated(messages: Received[]): Received[] {
  const seen = new Set<string>();
  return messages.filter((m) => m.answered < 300 && !seen.has(m.id) && seen.add(m.id));
}

const about = (resourceId: string) => (m: Received) => m.event.data.object.id === resourceId;

describe('webhook delivery of the hot paths’ events (e2e)', () => {
  let t: TestApp;
  const receiver = new WebhookReceiver();
  /** The admin's endpoint, registered before anything happens: it gets every account's events. */
  const everything = new WebhookReceiver();
  let url: string;

  beforeAll(async () => {
    url = await receiver.start();
    t = await createTestApp({ config: { WEBHOOK_ALLOW_PRIVATE: 'true' }, sweepers: true });
    await subscribe(t, ADMIN_KEY(), everything, await everything.start());
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
    await everything.stop();
  });

  it('100 concurrent debits of 300 on 15000: 50 succeed, and exactly 50 wallet.debited arrive, each once, in balance order; none for the 50 refusals', async () => {
    const owner = await customerWithWallet(t, 0);
    await subscribe(t, owner.customer.key, receiver, url);
    await credit(t, owner.walletId, 15_000);

    const answers = await Promise.all(
      Array.from({ length: 100 }, () => debit(t, owner.walletId, owner.customer.key, 300, randomUUID())),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(50);
    expect(answers.filter((a) => a.status === 422).map((a) => a.body.code)).toEqual(
      Array(50).fill('insufficient_funds'),
    );

    const arrived = await eventually(
      async () => deduplicated(receiver.received).filter(about(owner.walletId)),
      (messages) => messages.length >= 51,
      30_000,
    );
    expect(arrived.map((m) => m.event.type)).toEqual([
      'wallet.credited',
      ...Array(50).fill('wallet.debited'),
    ]);
    // In order per resource: each shows the wallet after its own debit, so the balances fall by 300 each time.
    expect(arrived.map((m) => m.event.data.object.balance)).toEqual(
      Array.from({ length: 51 }, (_, i) => 15_000 - 300 * i),
    );
    expect(new Set(arrived.map((m) => m.id)).size).toBe(51);
    // Each webhook-id is the event's id, and no message was sent twice.
    expect(arrived.every((m) => m.id === m.event.id)).toBe(true);
    expect(receiver.received.filter(about(owner.walletId))).toHaveLength(51);
    expect(receiver.refused).toEqual([]);
  });

  it('a hold, an order, its payment and a partial refund: their events arrive in order per resource', async () => {
    const fixture = await pendingOrder(t);
    await pay(t, fixture.customer.key, fixture.orderId, fixture.walletId).expect(200);
    await refund(t, fixture.orderId, { amount: 500 }).expect(200);

    const of = (resourceId: string, count: number) =>
      eventually(
        async () => deduplicated(everything.received).filter(about(resourceId)),
        (messages) => messages.length >= count,
        30_000,
      );
    expect((await of(fixture.holdId, 1)).map((m) => [m.event.type, m.event.data.object.status])).toEqual([
      ['hold.created', 'active'],
    ]);
    expect((await of(fixture.orderId, 3)).map((m) => [m.event.type, m.event.data.object.status])).toEqual([
      ['order.created', 'pending_payment'],
      ['order.paid', 'paid'],
      ['order.refunded', 'partially_refunded'],
    ]);
    expect((await of(fixture.walletId, 3)).map((m) => [m.event.type, m.event.data.object.balance])).toEqual([
      ['wallet.credited', 10_000],
      ['wallet.debited', 10_000 - fixture.amount],
      ['wallet.credited', 10_000 - fixture.amount + 500],
    ]);
    expect(everything.refused).toEqual([]);
  });
});

describe('webhook delivery survives its worker killed mid-delivery, Redis wiped and PostgreSQL restarted (e2e)', () => {
  const receiver = new WebhookReceiver();
  let url: string;
  let second: TestApp | undefined;

  beforeAll(async () => {
    url = await receiver.start();
  });
  afterAll(async () => {
    await second?.close();
    await receiver.stop();
  });

  it('every event is delivered, none is lost, a receiver deduplicating by id gets each once, none is forged', async () => {
    const config = { WEBHOOK_ALLOW_PRIVATE: 'true' as const };
    const first = await createTestApp({ config, sweepers: true });
    const owner = await customerWithWallet(first, 0);
    await subscribe(first, owner.customer.key, receiver, url);

    // The receiver takes the first message and does not answer: the worker is mid-delivery.
    let unstall!: () => void;
    receiver.stall = new Promise<void>((resolve) => (unstall = resolve));
    await credit(first, owner.walletId, 10_000);
    for (let i = 0; i < 5; i++)
      await debit(first, owner.walletId, owner.customer.key, 100, randomUUID()).expect(201);
    await eventually(
      async () => receiver.received.filter(about(owner.walletId)),
      (messages) => messages.length >= 1,
      30_000,
    );

    // The worker dies with the attempt in flight (its pool and queues gone), Redis loses every key of
    // this service, and PostgreSQL drops every connection to this database, as a restart does.
    const redis = first.app.get<Redis>(REDIS);
    const prefix = first.config.REDIS_KEY_PREFIX;
    await first.close();
    const wiper = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    const keysOfService = async () => {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await wiper.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        found.push(...keys);
        cursor = next;
      } while (cursor !== '0');
      return found;
    };
    const keys = await keysOfService();
    expect(keys.length).toBeGreaterThan(0);
    await wiper.del(...keys);
    expect(await keysOfService()).toEqual([]);
    await wiper.quit();
    const admin = new DataSource({ type: 'postgres', url: first.config.DATABASE_URL });
    await admin.initialize();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await admin.destroy();
    unstall();
    receiver.stall = undefined;

    // A new worker: the stuck attempt's lease runs out (by its clock), and everything is sent.
    second = await createTestApp({ config, sweepers: true });
    second.clock.advance(61 * SECOND);
    const listed = (
      await second.http().get('/api/events?limit=100').set(bearer(owner.customer.key)).expect(200)
    ).body.data as Array<{ id: string; type: string }>;
    expect(listed.map((e) => e.type).sort()).toEqual(
      ['wallet.credited', ...Array(5).fill('wallet.debited')].sort(),
    );
    const arrived = await eventually(
      async () => deduplicated(receiver.received).filter(about(owner.walletId)),
      (messages) => messages.length >= 6,
      30_000,
    );
    expect(arrived.map((m) => m.id).sort()).toEqual(listed.map((e) => e.id).sort());
    expect(arrived.map((m) => m.event.data.object.balance)).toEqual([
      10_000, 9_900, 9_800, 9_700, 9_600, 9_500,
    ]);
    // At least once: only the attempt the dead worker had in flight may have reached the receiver twice.
    const sent = receiver.received.filter(about(owner.walletId));
    expect(sent.length - arrived.length).toBeLessThanOrEqual(1);
    expect(receiver.refused).toEqual([]);
  });
});
