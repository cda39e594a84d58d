import { randomUUID } from 'crypto';
import { Webhook } from 'standardwebhooks';
import { DataSource, type EntityManager } from 'typeorm';
import { EventRecorder, type EventDraft } from '../../src/modules/event/application/event-recorder';
import { DeliverWebhooksService } from '../../src/modules/event/application/deliver-webhooks.service';
import { PurgeEventsService } from '../../src/modules/event/application/purge-events.service';
import { RelayEventsService } from '../../src/modules/event/application/relay-events.service';
import type { EventRepository, TakenEvents } from '../../src/modules/event/domain/event.repository';
import type { WebhookEndpoint } from '../../src/modules/event/domain/webhook-endpoint';
import { EVENT_REPOSITORY } from '../../src/modules/event/event.tokens';
import { ExpireHoldsService } from '../../src/modules/inventory/application/expire-holds.service';
import { ExpireOrdersService } from '../../src/modules/order/application/expire-orders.service';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { createProduct, eventually, placeHold } from '../support/inventory-fixtures';
import { ADMIN_KEY, createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { pay, pendingOrder, refund } from '../support/payment-fixtures';
import { bookFlight, flightOfferId, settledBooking } from '../support/booking-fixtures';
import { customerWithWallet } from '../support/wallet-fixtures';
import { ADMIN_ACCOUNT_ID } from '../../src/modules/account/domain/account';
import { WebhookReceiver } from '../support/webhook-receiver';

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('events and outbound webhooks (e2e)', () => {
  let t: TestApp;
  let db: DataSource;
  const receiver = new WebhookReceiver();
  let receiverUrl: string;

  beforeAll(async () => {
    receiverUrl = await receiver.start();
    t = await createTestApp({ config: { WEBHOOK_ALLOW_PRIVATE: 'true' }, sweepers: true });
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  /** A resource for events to be about: an endpoint-shaped value, shown as its GET would. */
  const resource = (id: string, accountId: string, description: string): WebhookEndpoint => ({
    id,
    accountId,
    url: 'https://example.com/elsewhere',
    enabledEvents: ['*'],
    description,
    status: 'disabled',
    failingSince: null,
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    updatedAt: new Date('2026-01-01T00:00:00.000Z'),
  });

  /** Records events through the outbox, in a transaction of their own, as a use case would. */
  const record = (drafts: EventDraft[]) =>
    t.app.get(UnitOfWork).run(async (em) => t.app.get(EventRecorder).record(em, drafts));

  /**
   * Runs `work` while the relay cannot take anything out of the outbox: a transaction holds the
   * relay's turn (as a relay under way would), and is ended after `work`.
   */
  async function withRelayHeld<T>(work: () => Promise<T>): Promise<T> {
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const other = t.app.get(UnitOfWork).run(async (em) => {
      await t.app
        .get<EventRepository<EntityManager>>(EVENT_REPOSITORY)
        .takeUndispatched(em, 0, ADMIN_ACCOUNT_ID);
      holding();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await held;
    try {
      return await work();
    } finally {
      release();
      await other;
    }
  }

  /** How many of a resource's events are still in the outbox. */
  const undispatched = async (resourceId: string) =>
    (
      await db.query(
        `SELECT count(*)::int AS n FROM event_outbox o, json_to_recordset(o.events) AS e (resource_id uuid)
          WHERE e.resource_id = $1`,
        [resourceId],
      )
    )[0].n as number;

  const disabledEvent = (accountId: string, resourceId: string, description: string): EventDraft => ({
    type: 'webhook_endpoint.disabled',
    accountId,
    resourceId,
    resource: resource(resourceId, accountId, description),
  });

  const register = (key: string, body: Record<string, unknown>, idempotencyKey?: string) => {
    const req = t.http().post('/api/webhook-endpoints').set(bearer(key));
    if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
    return req.send(body);
  };

  const deliveriesOf = async (endpointId: string, key: string) =>
    (await t.http().get(`/api/webhook-endpoints/${endpointId}/deliveries`).set(bearer(key)).expect(200)).body
      .data as Array<Record<string, unknown>>;

  describe('webhook endpoints', () => {
    it('shows the signing secret in the answer that creates the endpoint only, and keeps it out of idempotency storage', async () => {
      const alice = await createCustomer(t, 'Alice');
      const idempotencyKey = randomUUID();
      const body = {
        url: 'https://example.com/hooks',
        enabled_events: ['order.paid'],
        description: 'Orders',
      };
      const created = await register(alice.key, body, idempotencyKey).expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        url: 'https://example.com/hooks',
        enabled_events: ['order.paid'],
        description: 'Orders',
        status: 'enabled',
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
        created_at: expect.stringMatching(/Z$/),
      });
      const secret = created.body.secret as string;

      const read = await t
        .http()
        .get(`/api/webhook-endpoints/${created.body.id}`)
        .set(bearer(alice.key))
        .expect(200);
      expect(read.body).toEqual({ ...created.body, secret: undefined });
      expect(Object.keys(read.body)).not.toContain('secret');

      const replay = await register(alice.key, body, idempotencyKey).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual({ ...created.body, secret: null });

      const stored = await db.query(
        `SELECT response_body::text AS body FROM idempotency_keys WHERE key = $1`,
        [idempotencyKey],
      );
      expect(stored).toHaveLength(1);
      expect(stored[0].body).not.toContain(secret);
      expect(stored[0].body).not.toContain(secret.slice('whsec_'.length));
      const [row] = await db.query(`SELECT secret FROM webhook_endpoints WHERE id = $1`, [created.body.id]);
      expect(row.secret).not.toContain(secret.slice('whsec_'.length));
      expect(row.secret).toMatch(/^v1\./);
    });

    it('lists, changes and deletes an account’s own endpoints; another account’s are not found', async () => {
      const alice = await createCustomer(t, 'Alice');
      const bob = await createCustomer(t, 'Bob');
      const a = (
        await register(alice.key, { url: 'https://example.com/a', enabled_events: ['*'] }).expect(201)
      ).body;
      const b = (await register(bob.key, { url: 'https://example.com/b', enabled_events: ['*'] }).expect(201))
        .body;

      const list = await t.http().get('/api/webhook-endpoints').set(bearer(alice.key)).expect(200);
      expect(list.body).toEqual({ data: [{ ...a, secret: undefined }], next_cursor: null });
      const all = await t.http().get('/api/webhook-endpoints?limit=100').set(bearer(ADMIN_KEY())).expect(200);
      expect(all.body.data.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining([a.id, b.id]));

      await t.http().get(`/api/webhook-endpoints/${b.id}`).set(bearer(alice.key)).expect(404);
      await t
        .http()
        .patch(`/api/webhook-endpoints/${b.id}`)
        .set(bearer(alice.key))
        .send({ status: 'disabled' })
        .expect(404);
      await t.http().delete(`/api/webhook-endpoints/${b.id}`).set(bearer(alice.key)).expect(404);
      await t.http().post(`/api/webhook-endpoints/${b.id}/rotate-secret`).set(bearer(alice.key)).expect(404);

      const patched = await t
        .http()
        .patch(`/api/webhook-endpoints/${a.id}`)
        .set(bearer(alice.key))
        .send({ enabled_events: ['order.created', 'order.paid'], status: 'disabled', description: null })
        .expect(200);
      expect(patched.body).toEqual({
        ...a,
        secret: undefined,
        enabled_events: ['order.created', 'order.paid'],
        status: 'disabled',
        description: null,
      });

      await t.http().delete(`/api/webhook-endpoints/${a.id}`).set(bearer(alice.key)).expect(204);
      await t.http().get(`/api/webhook-endpoints/${a.id}`).set(bearer(alice.key)).expect(404);
    });

    it('refuses unknown event types and fields with a 400', async () => {
      const alice = await createCustomer(t, 'Alice');
      const res = await register(alice.key, {
        url: 'https://example.com/x',
        enabled_events: ['order.shipped'],
      }).expect(400);
      expect(res.body.code).toBe('validation_failed');
      await register(alice.key, { url: 'https://example.com/x', enabled_events: [] }).expect(400);
      await register(alice.key, { url: 'https://example.com/x', enabled_events: ['*'], secret: 'x' }).expect(
        400,
      );
    });
  });

  describe('delivery', () => {
    let alice: { id: string; key: string };
    let endpointId: string;

    beforeAll(async () => {
      alice = await createCustomer(t, 'Alice');
      const created = await register(alice.key, { url: receiverUrl, enabled_events: ['*'] }).expect(201);
      endpointId = created.body.id;
      receiver.secret = created.body.secret;
    });

    const receivedFor = (resourceId: string) =>
      receiver.received.filter((message) => message.event.data.object.id === resourceId);

    it('POSTs each event once, signed, the body being the event as GET /api/events/{id} shows it, in order per resource', async () => {
      const resourceId = randomUUID();
      await record([disabledEvent(alice.id, resourceId, 'first')]);
      await record([
        disabledEvent(alice.id, resourceId, 'second'),
        disabledEvent(alice.id, resourceId, 'third'),
      ]);
      const got = await eventually(
        async () => receivedFor(resourceId),
        (messages) => messages.length >= 3,
        15_000,
      );
      expect(got.map((m) => m.event.data.object.description)).toEqual(['first', 'second', 'third']);
      expect(new Set(got.map((m) => m.id)).size).toBe(3);
      for (const message of got) {
        expect(message.id).toBe(message.event.id);
        const shown = await t.http().get(`/api/events/${message.id}`).set(bearer(alice.key)).expect(200);
        expect(JSON.parse(message.body)).toEqual(shown.body);
        expect(shown.body).toEqual({
          id: message.id,
          type: 'webhook_endpoint.disabled',
          account_id: alice.id,
          created_at: expect.stringMatching(/Z$/),
          data: { object: expect.objectContaining({ id: resourceId, status: 'disabled' }) },
        });
      }
      const deliveries = await deliveriesOf(endpointId, alice.key);
      expect(deliveries.filter((d) => got.some((m) => m.id === d.event_id))).toEqual(
        got.map(() => ({
          id: expect.any(String),
          event_id: expect.any(String),
          attempt: 1,
          status: 'delivered',
          response_status: 204,
          duration_ms: expect.any(Number),
          error: null,
          next_attempt_at: null,
          delivered_at: expect.stringMatching(/Z$/),
        })),
      );
      expect(receiver.refused).toEqual([]);

      const metrics = (await t.http().get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^webhook_delivery_attempts_total\{outcome="delivered"\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^webhook_delivery_lag_seconds_count [1-9]\d*$/m);
      expect(metrics).toMatch(/^events_outbox_backlog \d+$/m);
    });

    it('relays one batch at a time, oldest first: a relay waits while another one’s transaction is under way', async () => {
      const resourceId = randomUUID();
      let relay!: Promise<number>;
      let relayed = false;
      await withRelayHeld(async () => {
        await record([
          disabledEvent(alice.id, resourceId, 'first'),
          disabledEvent(alice.id, resourceId, 'second'),
        ]);
        relay = t.app.get(RelayEventsService).relay();
        void relay.then(() => (relayed = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(relayed).toBe(false);
        expect(await undispatched(resourceId)).toBe(2);
      });
      await relay;
      const got = await eventually(
        async () => receivedFor(resourceId),
        (messages) => messages.length >= 2,
        15_000,
      );
      expect(got.map((m) => m.event.data.object.description)).toEqual(['first', 'second']);
    });

    it('takes every event out of the outbox, and back only those an enabled endpoint may want: its account’s, or all when the every-account one has one', async () => {
      const bob = await createCustomer(t, 'Bob'); // no endpoint
      const carol = await createCustomer(t, 'Carol'); // a disabled one
      const carols = await register(carol.key, { url: receiverUrl, enabled_events: ['*'] }).expect(201);
      await t
        .http()
        .patch(`/api/webhook-endpoints/${carols.body.id}`)
        .set(bearer(carol.key))
        .send({ status: 'disabled' })
        .expect(200);
      const [toAlice, toBob, toCarol] = [alice.id, bob.id, carol.id].map((accountId) => ({
        accountId,
        resourceId: randomUUID(),
      }));
      const events = t.app.get<EventRepository<EntityManager>>(EVENT_REPOSITORY);
      const mine = (taken: TakenEvents) =>
        taken.listened
          .filter((e) => [toAlice, toBob, toCarol].some((r) => r.accountId === e.accountId))
          .map((e) => e.accountId);
      const rolledBack = new Error('rolled back');
      let taken!: TakenEvents;
      let takenForEveryAccount!: TakenEvents;
      let outbox!: { rows: number; events: number };
      await t.app
        .get(UnitOfWork)
        .run(async (em) => {
          await events.takeUndispatched(em, 0, randomUUID()); // the relay's turn is this transaction's
          for (const { accountId, resourceId } of [toAlice, toBob, toCarol]) {
            await record([disabledEvent(accountId, resourceId, 'listened for?')]);
          }
          await em.query('SAVEPOINT before_taking');
          [outbox] = await em.query(
            `SELECT count(*)::int AS rows, sum(event_count)::int AS events FROM event_outbox`,
          );
          taken = await events.takeUndispatched(em, 200, randomUUID());
          await em.query('ROLLBACK TO SAVEPOINT before_taking');
          takenForEveryAccount = await events.takeUndispatched(em, 200, alice.id);
          throw rolledBack; // the background relay fans them out as usual
        })
        .catch((error: unknown) => {
          if (error !== rolledBack) throw error;
        });
      expect(outbox.rows).toBeGreaterThanOrEqual(3);
      expect(taken).toMatchObject({ rows: outbox.rows, moved: outbox.events });
      expect(takenForEveryAccount).toMatchObject({ rows: outbox.rows, moved: outbox.events });
      expect(mine(taken)).toEqual([alice.id]);
      expect(mine(takenForEveryAccount)).toEqual([alice.id, bob.id, carol.id]);
      expect(takenForEveryAccount.listened).toHaveLength(takenForEveryAccount.moved);
      expect(
        (
          await eventually(
            async () => receivedFor(toAlice.resourceId),
            (m) => m.length === 1,
            15_000,
          )
        ).length,
      ).toBe(1);
      expect(await undispatched(toBob.resourceId)).toBe(0);
      expect(await deliveriesOf(carols.body.id, carol.key)).toEqual([]);
    });

    it('retries a receiver that answers 500 twice on the schedule (5 s, then 5 min), driven by the clock, and holds the resource’s next event back meanwhile', async () => {
      const resourceId = randomUUID();
      const deliverNow = () => t.app.get(DeliverWebhooksService).attemptDue();
      receiver.answers = [500, 500];
      await record([disabledEvent(alice.id, resourceId, 'one')]);
      await eventually(
        async () => receivedFor(resourceId),
        (m) => m.length === 1,
        15_000,
      );
      await record([disabledEvent(alice.id, resourceId, 'two')]);
      await t.app.get(RelayEventsService).relay();

      const one = () =>
        db
          .query(
            `SELECT d.attempt, d.status, d.response_status, d.next_attempt_at FROM webhook_deliveries d
               JOIN events e ON e.id = d.event_id
              WHERE d.endpoint_id = $1 AND e.resource_id = $2 ORDER BY e.seq LIMIT 1`,
            [endpointId, resourceId],
          )
          .then((rows: Array<Record<string, unknown>>) => rows[0]);
      const first = await eventually(one, (row) => row?.attempt === 1, 5_000);
      expect(first).toEqual({
        attempt: 1,
        status: 'pending',
        response_status: 500,
        next_attempt_at: new Date(t.clock.now() + 5 * SECOND),
      });

      t.clock.advance(5 * SECOND - 1);
      expect(await deliverNow()).toBe(0);
      expect(receivedFor(resourceId)).toHaveLength(1);

      t.clock.advance(1);
      const second = await eventually(one, (row) => row?.attempt === 2, 10_000);
      expect(second).toEqual({
        attempt: 2,
        status: 'pending',
        response_status: 500,
        next_attempt_at: new Date(t.clock.now() + 5 * MINUTE),
      });
      // `two` waits behind `one` however often the sweeper looks.
      expect(await deliverNow()).toBe(0);
      expect(receivedFor(resourceId).map((m) => m.event.data.object.description)).toEqual(['one', 'one']);

      t.clock.advance(5 * MINUTE);
      const got = await eventually(
        async () => receivedFor(resourceId),
        (m) => m.length === 4,
        15_000,
      );
      expect(got.map((m) => [m.event.data.object.description, m.answered])).toEqual([
        ['one', 500],
        ['one', 500],
        ['one', 204],
        ['two', 204],
      ]);
      expect(new Set(got.slice(0, 3).map((m) => m.id)).size).toBe(1);
      expect(await one()).toEqual({
        attempt: 3,
        status: 'delivered',
        response_status: 204,
        next_attempt_at: null,
      });
    });

    it('signs with both secrets for 24 hours after a rotation, then with the new one', async () => {
      const rotated = await t
        .http()
        .post(`/api/webhook-endpoints/${endpointId}/rotate-secret`)
        .set(bearer(alice.key))
        .expect(200);
      const previous = receiver.secret as string;
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(previous);
      receiver.secret = rotated.body.secret;

      const resourceId = randomUUID();
      await record([disabledEvent(alice.id, resourceId, 'rotated')]);
      const [message] = await eventually(
        async () => receivedFor(resourceId),
        (m) => m.length === 1,
        15_000,
      );
      const signatures = message.signature.split(' ');
      expect(signatures).toHaveLength(2);
      const headers = (signature: string) => ({
        'webhook-id': message.id,
        'webhook-timestamp': message.timestamp,
        'webhook-signature': signature,
      });
      expect(() => new Webhook(previous).verify(message.body, headers(message.signature))).not.toThrow();
      expect(() =>
        new Webhook(rotated.body.secret).verify(message.body, headers(message.signature)),
      ).not.toThrow();

      t.clock.advance(24 * 3600 * SECOND);
      const later = randomUUID();
      await record([disabledEvent(alice.id, later, 'one secret')]);
      const [next] = await eventually(
        async () => receivedFor(later),
        (m) => m.length === 1,
        15_000,
      );
      expect(next.signature.split(' ')).toHaveLength(1);
      expect(() =>
        new Webhook(previous).verify(next.body, {
          'webhook-id': next.id,
          'webhook-timestamp': next.timestamp,
          'webhook-signature': next.signature,
        }),
      ).toThrow();
    });

    it('sends a delivered delivery again on a manual retry, with the same webhook-id', async () => {
      const resourceId = randomUUID();
      await record([disabledEvent(alice.id, resourceId, 'again')]);
      const [message] = await eventually(
        async () => receivedFor(resourceId),
        (m) => m.length === 1,
        15_000,
      );
      const [delivery] = (await deliveriesOf(endpointId, alice.key)).filter((d) => d.event_id === message.id);
      const bob = await createCustomer(t, 'Bob');
      await t
        .http()
        .post(`/api/webhook-endpoints/${endpointId}/deliveries/${String(delivery.id)}/retry`)
        .set(bearer(bob.key))
        .expect(404);
      const retried = await t
        .http()
        .post(`/api/webhook-endpoints/${endpointId}/deliveries/${String(delivery.id)}/retry`)
        .set(bearer(alice.key))
        .expect(202);
      expect(retried.body).toMatchObject({ id: delivery.id, status: 'pending', attempt: 1 });
      const got = await eventually(
        async () => receivedFor(resourceId),
        (m) => m.length === 2,
        15_000,
      );
      expect(got.map((m) => m.id)).toEqual([message.id, message.id]);
      const pending = await t
        .http()
        .get(`/api/webhook-endpoints/${endpointId}/deliveries?status=delivered&limit=100`)
        .set(bearer(alice.key))
        .expect(200);
      expect(pending.body.data.find((d: { id: string }) => d.id === delivery.id)).toMatchObject({
        attempt: 2,
        status: 'delivered',
      });
    });
  });

  describe('events of the use cases', () => {
    it('a released hold and an expired one: hold.released and hold.expired, each showing the hold as its GET does', async () => {
      const ivan = await createCustomer(t, 'Ivan');
      const product = await createProduct(t, 10);
      const released = (await placeHold(t, ivan.key, product.id, 2).expect(201)).body;
      const expiring = (await placeHold(t, ivan.key, product.id, 1).expect(201)).body;
      await t.http().delete(`/api/holds/${released.id}`).set(bearer(ivan.key)).expect(200);
      t.clock.advance(t.config.HOLD_TTL_SECONDS * SECOND);
      await t.app.get(ExpireHoldsService).sweep();

      const events = (await t.http().get('/api/events?limit=10').set(bearer(ivan.key)).expect(200)).body
        .data as Array<{
        type: string;
        account_id: string;
        data: { object: { id: string } };
      }>;
      expect(events.map((e) => [e.type, e.data.object.id])).toEqual([
        ['hold.expired', expiring.id],
        ['hold.released', released.id],
        ['hold.created', expiring.id],
        ['hold.created', released.id],
      ]);
      for (const event of events.slice(0, 2)) {
        expect(event.account_id).toBe(ivan.id);
        const shown = await t
          .http()
          .get(`/api/holds/${event.data.object.id}`)
          .set(bearer(ivan.key))
          .expect(200);
        expect(event.data.object).toEqual(shown.body);
      }
    });
  });

  describe('events of orders', () => {
    type Listed = { type: string; data: { object: Record<string, unknown> } };
    const eventsOf = async (key: string, resourceId: string) =>
      ((await t.http().get('/api/events?limit=100').set(bearer(key)).expect(200)).body.data as Listed[])
        .filter((e) => e.data.object.id === resourceId)
        .reverse();

    it('an order made, paid and refunded in part: order.created, order.paid, order.refunded in that order, the last as GET shows the order', async () => {
      const fixture = await pendingOrder(t);
      const key = fixture.customer.key;
      await pay(t, key, fixture.orderId, fixture.walletId).expect(200);
      await refund(t, fixture.orderId, { amount: 500 }).expect(200);

      const events = await eventsOf(key, fixture.orderId);
      expect(events.map((e) => [e.type, e.data.object.status, e.data.object.refunded_amount])).toEqual([
        ['order.created', 'pending_payment', 0],
        ['order.paid', 'paid', 0],
        ['order.refunded', 'partially_refunded', 500],
      ]);
      const shown = await t.http().get(`/api/orders/${fixture.orderId}`).set(bearer(key)).expect(200);
      expect(events[2].data.object).toEqual(shown.body);
      // When it was paid, its payment had not been refunded yet.
      expect(events[1].data.object.payment).toEqual({ ...shown.body.payment, status: 'succeeded' });
    });

    it('an order cancelled by its owner, and one that expired unpaid: order.cancelled each', async () => {
      const cancelled = await pendingOrder(t);
      await t
        .http()
        .post(`/api/orders/${cancelled.orderId}/cancel`)
        .set(bearer(cancelled.customer.key))
        .set('Idempotency-Key', randomUUID())
        .expect(200);
      const shown = await t
        .http()
        .get(`/api/orders/${cancelled.orderId}`)
        .set(bearer(cancelled.customer.key));
      expect(
        (await eventsOf(cancelled.customer.key, cancelled.orderId)).map((e) => [e.type, e.data.object]),
      ).toEqual([
        ['order.created', expect.objectContaining({ status: 'pending_payment' })],
        ['order.cancelled', shown.body],
      ]);

      const expiring = await pendingOrder(t);
      t.clock.advance(t.config.ORDER_PAYMENT_TTL_SECONDS * SECOND);
      await t.app.get(ExpireOrdersService).sweep();
      expect(
        (await eventsOf(expiring.customer.key, expiring.orderId)).map((e) => [e.type, e.data.object.status]),
      ).toEqual([
        ['order.created', 'pending_payment'],
        ['order.cancelled', 'cancelled'],
      ]);
    });

    it('a refused payment records nothing', async () => {
      const poor = await pendingOrder(t, { balance: 100 });
      await pay(t, poor.customer.key, poor.orderId, poor.walletId).expect(422);
      expect((await eventsOf(poor.customer.key, poor.orderId)).map((e) => e.type)).toEqual(['order.created']);
    });
  });

  describe('events of bookings', () => {
    it('a booking confirmed, then cancelled; one the provider refused: booking.confirmed, booking.cancelled, booking.failed', async () => {
      const judy = await customerWithWallet(t, 1_000_000, 'EUR');
      const key = judy.customer.key;
      const offerId = await flightOfferId(t);
      const booked = (await bookFlight(t, key, offerId, judy.walletId).expect(202)).body;
      expect((await settledBooking(t, booked.id, judy.customer)).status).toBe('confirmed');
      await t
        .http()
        .post(`/api/bookings/${booked.id}/cancel`)
        .set(bearer(key))
        .set('Idempotency-Key', randomUUID())
        .expect(200);
      const refused = (await bookFlight(t, key, offerId, judy.walletId, 'Decline').expect(202)).body;
      expect((await settledBooking(t, refused.id, judy.customer)).status).toBe('failed');

      const events = (
        (await t.http().get('/api/events?limit=100').set(bearer(key)).expect(200)).body.data as Array<{
          type: string;
          data: { object: { id: string; status: string } };
        }>
      )
        .reverse()
        .filter((e) => e.type.startsWith('booking.'));
      expect(events.map((e) => [e.type, e.data.object.id, e.data.object.status])).toEqual([
        ['booking.confirmed', booked.id, 'confirmed'],
        ['booking.cancelled', booked.id, 'cancelled'],
        ['booking.failed', refused.id, 'failed'],
      ]);
      const shown = await t.http().get(`/api/bookings/${refused.id}`).set(bearer(key)).expect(200);
      expect(events[2].data.object).toEqual(shown.body);
    });
  });

  describe('the events API', () => {
    it('lists the caller’s events newest first, by type and page; the admin sees every account’s, or one account’s', async () => {
      const carol = await createCustomer(t, 'Carol');
      const dave = await createCustomer(t, 'Dave');
      const r = randomUUID();
      for (const n of [1, 2, 3]) await record([disabledEvent(carol.id, r, `carol ${n}`)]);
      await record([disabledEvent(dave.id, randomUUID(), 'dave')]);

      const page1 = await t.http().get('/api/events?limit=2').set(bearer(carol.key)).expect(200);
      expect(
        page1.body.data.map((e: { data: { object: { description: string } } }) => e.data.object.description),
      ).toEqual(['carol 3', 'carol 2']);
      expect(page1.body.next_cursor).toEqual(expect.any(String));
      const page2 = await t
        .http()
        .get(`/api/events?limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`)
        .set(bearer(carol.key))
        .expect(200);
      expect(page2.body).toEqual({
        data: [
          expect.objectContaining({
            account_id: carol.id,
            data: { object: expect.objectContaining({ description: 'carol 1' }) },
          }),
        ],
        next_cursor: null,
      });
      const byType = await t
        .http()
        .get('/api/events?type=webhook_endpoint.disabled')
        .set(bearer(carol.key))
        .expect(200);
      expect(byType.body.data).toHaveLength(3);
      const none = await t.http().get('/api/events?type=order.paid').set(bearer(carol.key)).expect(200);
      expect(none.body).toEqual({ data: [], next_cursor: null });

      // A customer asking for another account's events still gets its own.
      const asked = await t
        .http()
        .get(`/api/events?account_id=${dave.id}`)
        .set(bearer(carol.key))
        .expect(200);
      expect(asked.body.data.every((e: { account_id: string }) => e.account_id === carol.id)).toBe(true);

      const daves = await t
        .http()
        .get(`/api/events?account_id=${dave.id}`)
        .set(bearer(ADMIN_KEY()))
        .expect(200);
      expect(daves.body.data.map((e: { account_id: string }) => e.account_id)).toEqual([dave.id]);
      const all = await t.http().get('/api/events?limit=100').set(bearer(ADMIN_KEY())).expect(200);
      const accounts = new Set(all.body.data.map((e: { account_id: string }) => e.account_id));
      expect(accounts.has(carol.id) && accounts.has(dave.id)).toBe(true);

      const daveEvent = daves.body.data[0].id as string;
      await t.http().get(`/api/events/${daveEvent}`).set(bearer(carol.key)).expect(404);
      await t.http().get(`/api/events/${daveEvent}`).set(bearer(dave.key)).expect(200);
      await t.http().get(`/api/events/${daveEvent}`).set(bearer(ADMIN_KEY())).expect(200);
      await t.http().get(`/api/events/${randomUUID()}`).set(bearer(dave.key)).expect(404);
    });

    it('shows an event once its change commits, the same and once, before and after the relay takes it out of the outbox', async () => {
      const ivy = await createCustomer(t, 'Ivy');
      const r = randomUUID();
      const list = async () =>
        (await t.http().get('/api/events?limit=100').set(bearer(ivy.key)).expect(200)).body.data as Array<{
          id: string;
          data: { object: { description: string } };
        }>;
      const shown = async (events: Array<{ id: string }>) =>
        Promise.all(
          events.map(
            async (e) => (await t.http().get(`/api/events/${e.id}`).set(bearer(ivy.key)).expect(200)).body,
          ),
        );

      const before = await withRelayHeld(async () => {
        await record([disabledEvent(ivy.id, r, 'one'), disabledEvent(ivy.id, r, 'two')]);
        await record([disabledEvent(ivy.id, r, 'three')]);
        expect(await undispatched(r)).toBe(3);
        const metrics = (await t.http().get('/metrics').expect(200)).text;
        expect(Number(/^events_outbox_backlog (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
        const listed = await list();
        return { listed, shown: await shown(listed) };
      });
      expect(before.listed.map((e) => e.data.object.description)).toEqual(['three', 'two', 'one']);
      expect(before.shown).toEqual(before.listed);

      await eventually(
        () => undispatched(r),
        (n) => n === 0,
        15_000,
      );
      const after = await list();
      expect(after).toEqual(before.listed);
      expect(await shown(after)).toEqual(before.listed);
    });

    it('refuses an unknown type, a cursor it did not issue and unknown parameters', async () => {
      const erin = await createCustomer(t, 'Erin');
      for (const query of ['type=order.shipped', 'cursor=abc.def', 'foo=1', 'limit=0', 'account_id=nope']) {
        const res = await t.http().get(`/api/events?${query}`).set(bearer(erin.key)).expect(400);
        expect(res.body.code).toBe('validation_failed');
      }
    });

    it('sends an admin endpoint every account’s events', async () => {
      const frank = await createCustomer(t, 'Frank');
      const adminReceiver = new WebhookReceiver();
      const url = await adminReceiver.start();
      try {
        const created = await register(ADMIN_KEY(), {
          url,
          enabled_events: ['webhook_endpoint.disabled'],
        }).expect(201);
        adminReceiver.secret = created.body.secret;
        const resourceId = randomUUID();
        await record([disabledEvent(frank.id, resourceId, 'for the admin')]);
        const got = await eventually(
          async () => adminReceiver.received.filter((m) => m.event.data.object.id === resourceId),
          (m) => m.length === 1,
          15_000,
        );
        expect(got[0].event.account_id).toBe(frank.id);
        await t
          .http()
          .delete(`/api/webhook-endpoints/${created.body.id}`)
          .set(bearer(ADMIN_KEY()))
          .expect(204);
      } finally {
        await adminReceiver.stop();
      }
    });
  });
  describe('an endpoint that only fails', () => {
    it('is disabled once its deliveries have all failed for 5 days, and its account is told by webhook_endpoint.disabled', async () => {
      const grace = await createCustomer(t, 'Grace');
      const failing = new WebhookReceiver();
      const watcher = new WebhookReceiver();
      const failingUrl = await failing.start();
      const watcherUrl = await watcher.start();
      try {
        failing.answers = Array(20).fill(500);
        const broken = await register(grace.key, { url: failingUrl, enabled_events: ['*'] }).expect(201);
        failing.secret = broken.body.secret;
        const watching = await register(grace.key, {
          url: watcherUrl,
          enabled_events: ['webhook_endpoint.disabled'],
        }).expect(201);
        watcher.secret = watching.body.secret;

        const first = randomUUID();
        await record([disabledEvent(grace.id, first, 'fails')]);
        await eventually(
          async () => failing.received,
          (m) => m.length === 1,
          15_000,
        );
        const [row] = await eventually(
          () =>
            db.query(`SELECT failing_since, status FROM webhook_endpoints WHERE id = $1`, [broken.body.id]),
          (rows: Array<{ failing_since: Date | null }>) => rows[0]?.failing_since !== null,
          5_000,
        );
        expect(row).toEqual({ failing_since: new Date(t.clock.now()), status: 'enabled' });

        t.clock.advance(5 * 86400 * SECOND - 1);
        const second = randomUUID();
        await record([disabledEvent(grace.id, second, 'fails too')]);
        await eventually(
          async () => failing.received,
          (m) => m.length >= 2,
          15_000,
        );
        expect(
          (await t.http().get(`/api/webhook-endpoints/${broken.body.id}`).set(bearer(grace.key))).body.status,
        ).toBe('enabled');

        // Both deliveries may have been attempted by now (the first one's retry and the second one's
        // first attempt): the clock moves on to their next retries (5 s later), all failing 5 days or more
        // after the first failure. Moving it by 1 ms left nothing due when both had been attempted.
        t.clock.advance(5 * SECOND);
        const told = await eventually(
          async () => watcher.received.filter((m) => m.event.data.object.id === broken.body.id),
          (m) => m.length === 1,
          15_000,
        );
        expect(told).toHaveLength(1);
        const shown = await t
          .http()
          .get(`/api/webhook-endpoints/${broken.body.id}`)
          .set(bearer(grace.key))
          .expect(200);
        expect(shown.body.status).toBe('disabled');
        expect(told[0].event).toEqual({
          id: expect.any(String),
          type: 'webhook_endpoint.disabled',
          account_id: grace.id,
          created_at: expect.stringMatching(/Z$/),
          data: { object: shown.body },
        });
        // Nothing more is attempted while it is disabled.
        const attempts = failing.received.length;
        t.clock.advance(86400 * SECOND);
        expect(await t.app.get(DeliverWebhooksService).attemptDue()).toBe(0);
        expect(failing.received).toHaveLength(attempts);
      } finally {
        await failing.stop();
        await watcher.stop();
      }
    });
  });
  describe('retention', () => {
    it('deletes events once they are EVENT_RETENTION_DAYS (30) old, with their deliveries, dispatched or not', async () => {
      const heidi = await createCustomer(t, 'Heidi');
      const purge = () => t.app.get(PurgeEventsService).purge();
      const dispatched = randomUUID();
      await record([disabledEvent(heidi.id, dispatched, 'old')]);
      await eventually(
        () => undispatched(dispatched),
        (n) => n === 0,
        15_000,
      );

      await withRelayHeld(async () => {
        const pending = randomUUID();
        await record([disabledEvent(heidi.id, pending, 'old, not yet dispatched')]);
        const events = (await t.http().get('/api/events').set(bearer(heidi.key)).expect(200)).body
          .data as Array<{
          id: string;
          created_at: string;
        }>;
        expect(events).toHaveLength(2);
        expect(await undispatched(pending)).toBe(1);

        // Earlier tests moved the clock on: what counts is its distance from the events' creation.
        const age = () => t.clock.now() - Math.min(...events.map((e) => Date.parse(e.created_at)));
        t.clock.advance(30 * 86400 * SECOND - MINUTE - age());
        await purge();
        for (const event of events)
          await t.http().get(`/api/events/${event.id}`).set(bearer(heidi.key)).expect(200);

        t.clock.advance(2 * MINUTE);
        expect(await purge()).toBeGreaterThanOrEqual(2);
        for (const event of events) {
          await t.http().get(`/api/events/${event.id}`).set(bearer(heidi.key)).expect(404);
          expect(await db.query(`SELECT 1 FROM webhook_deliveries WHERE event_id = $1`, [event.id])).toEqual(
            [],
          );
        }
        expect(await undispatched(pending)).toBe(0);
      });
    });
  });
});
