import { hkdfSync, randomUUID } from 'crypto';
import type { Server } from 'http';
import { type AddressInfo, connect } from 'net';
import { encodeOfferId } from '../../src/modules/provider/infrastructure/offer-id';
import { bookFlight, flightOfferId, inDays } from '../support/booking-fixtures';
import { createOrder, createProduct, placeHold, stockInDb } from '../support/inventory-fixtures';
import { WebhookSignature } from '../../src/modules/payment/domain/webhook-signature';
import { pay, pendingOrder, sendWebhook, succeeded } from '../support/payment-fixtures';
import { createCustomer, createTestApp, TestApp } from '../support/test-app';
import { bearer, customerWithWallet } from '../support/wallet-fixtures';

/** How offer ids were signed before they had a key of their own: from the admin key, which anyone could then test guesses at. */
const oldKey = () =>
  Buffer.from(
    hkdfSync(
      'sha256',
      process.env.ADMIN_API_KEY as string,
      'checkout-wallet-service',
      'sandbox offer ids',
      32,
    ),
  );
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const NUL = 'Ada\u0000Lovelace';
const LONE_SURROGATE = 'x\udfffy';

/** Every refusal here is the same precise answer: 400 validation_failed as problem+json. */
function expectValidationFailed(res: {
  status: number;
  headers: Record<string, string>;
  body: { code?: string };
}) {
  expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'validation_failed' });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

describe('hostile input (e2e)', () => {
  let t: TestApp;
  const admin = bearer(process.env.ADMIN_API_KEY as string);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const balance = async (walletId: string) =>
    (await t.http().get(`/api/wallets/${walletId}`).set(admin).expect(200)).body.balance as number;

  describe('bodies nested deeper than 32 levels', () => {
    it('a hold body of 20 000 nested arrays is a 400, not a stack overflow', async () => {
      const customer = await createCustomer(t);
      const res = await t
        .http()
        .post('/api/holds')
        .set(bearer(customer.key))
        .set('Content-Type', 'application/json')
        .send(`{"product_id":${'['.repeat(20_000)}${']'.repeat(20_000)},"quantity":1}`);
      expectValidationFailed(res);
      expect(res.body.errors).toEqual([{ field: 'body', message: 'is nested deeper than 32 levels' }]);
    });

    it('a debit whose description nests 5 000 objects, with an Idempotency-Key, is a 400 and moves nothing', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1000);
      const res = await t
        .http()
        .post(`/api/wallets/${walletId}/debit`)
        .set(bearer(customer.key))
        .set('Idempotency-Key', randomUUID())
        .set('Content-Type', 'application/json')
        .send(`{"amount":100,"description":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
      expectValidationFailed(res);
      expect(await balance(walletId)).toBe(1000);
    });

    it('32 levels are read as usual; 33 are refused', async () => {
      // The body object is level 1, so `extra` adds levels - 1 objects.
      const body = (levels: number) =>
        `{"name":"Deep","extra":${'{"a":'.repeat(levels - 1)}1${'}'.repeat(levels - 1)}}`;
      const ok = await t
        .http()
        .post('/api/accounts')
        .set(admin)
        .set('Content-Type', 'application/json')
        .send(body(32));
      expectValidationFailed(ok);
      expect(ok.body.errors).toEqual([expect.objectContaining({ field: 'extra' })]);
      const deep = await t
        .http()
        .post('/api/accounts')
        .set(admin)
        .set('Content-Type', 'application/json')
        .send(body(33));
      expectValidationFailed(deep);
      expect(deep.body.errors).toEqual([{ field: 'body', message: 'is nested deeper than 32 levels' }]);
    });
  });

  describe('NUL characters and unpaired surrogates in text', () => {
    it.each([
      ['NUL', NUL],
      ['an unpaired surrogate', LONE_SURROGATE],
    ])('%s in an account name, a product name or a debit description is a 400', async (_what, text) => {
      expectValidationFailed(await t.http().post('/api/accounts').set(admin).send({ name: text }));
      expectValidationFailed(
        await t
          .http()
          .post('/api/products')
          .set(admin)
          .send({ name: text, price: 100, currency: 'USD', stock: 1 }),
      );
      const { customer, walletId } = await customerWithWallet(t, 1000);
      const key = randomUUID();
      const debit = () =>
        t
          .http()
          .post(`/api/wallets/${walletId}/debit`)
          .set(bearer(customer.key))
          .set('Idempotency-Key', key)
          .send({ amount: 100, description: text });
      const res = await debit();
      expectValidationFailed(res);
      expect(res.body.errors).toEqual([
        { field: 'description', message: 'must not contain NUL characters or unpaired surrogates' },
      ]);
      // Refused before the handler, so the key was not consumed and nothing moved.
      expectValidationFailed(await debit());
      expect(await balance(walletId)).toBe(1000);
    });

    it('a surrogate pair (an emoji) is ordinary text', async () => {
      const res = await t.http().post('/api/accounts').set(admin).send({ name: 'Ada 😀' }).expect(201);
      expect(res.body.name).toBe('Ada 😀');
    });

    it('in traveler names and emails of a booking, nothing is debited', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
      const offers = await t
        .http()
        .get('/api/flights/offers')
        .query({ origin: 'JFK', destination: 'LHR', departure_date: inDays(30), adults: 1 })
        .expect(200);
      for (const traveler of [
        { first_name: NUL, last_name: 'Lovelace', email: 'ada@example.com' },
        { first_name: 'Ada', last_name: LONE_SURROGATE, email: 'ada@example.com' },
        // Found by the fuzz tier: the email check itself threw on an unpaired surrogate.
        { first_name: 'Ada', last_name: 'Lovelace', email: LONE_SURROGATE },
        { first_name: 'Ada', last_name: 'Lovelace', email: `ada${LONE_SURROGATE}@example.com` },
        { first_name: 'Ada', last_name: 'Lovelace', email: `ada${NUL}@example.com` },
      ]) {
        const res = await t
          .http()
          .post('/api/bookings')
          .set(bearer(customer.key))
          .set('Idempotency-Key', randomUUID())
          .send({ type: 'flight', offer_id: offers.body.offers[0].id, wallet_id: walletId, traveler });
        expectValidationFailed(res);
      }
      expect(await balance(walletId)).toBe(1_000_000);
    });

    it("in a signed webhook's payment_id", async () => {
      const order = await pendingOrder(t);
      for (const paymentId of [`pay_${NUL}`, `pay_${LONE_SURROGATE}`]) {
        const res = await sendWebhook(
          t,
          succeeded({ payment_id: paymentId, order_id: order.orderId, amount: order.amount }),
        );
        expectValidationFailed(res);
      }
      const now = await t
        .http()
        .get(`/api/orders/${order.orderId}`)
        .set(bearer(order.customer.key))
        .expect(200);
      expect(now.body.status).toBe('pending_payment');
    });
  });

  describe('tampered cursors', () => {
    it.each([
      ['a non-UUID id', cursorOf(['2026-01-01T00:00:00.000Z', '------------------------------------'])],
      ['a date of year -271821', cursorOf(['-271821-04-20T00:00:00.000Z', randomUUID()])],
      ['a year beyond 9999', cursorOf(['+275760-09-13T00:00:00.000Z', randomUUID()])],
      ['a date that is not one', cursorOf(['2026-02-30T00:00:00.000Z', randomUUID()])],
      ['an object', cursorOf({ at: '2026-01-01T00:00:00.000Z', id: randomUUID() })],
      ['three items', cursorOf(['2026-01-01T00:00:00.000Z', randomUUID(), 1])],
      ['not base64 JSON', '%%%'],
      ['a NUL', 'abc\u0000'],
    ])('%s on /api/products (no key) and on wallet transactions is a 400', async (_what, cursor) => {
      expectValidationFailed(await t.http().get('/api/products').query({ cursor }));
      const { customer, walletId } = await customerWithWallet(t, 0);
      expectValidationFailed(
        await t
          .http()
          .get(`/api/wallets/${walletId}/transactions`)
          .set(bearer(customer.key))
          .query({ cursor }),
      );
    });

    it('a cursor this API returned still works', async () => {
      await createProduct(t, 1);
      await createProduct(t, 1);
      const first = await t.http().get('/api/products').query({ limit: 1 }).expect(200);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      await t.http().get('/api/products').query({ limit: 1, cursor: first.body.next_cursor }).expect(200);
    });

    it.each([
      [
        'made up in the shape of an unsigned cursor',
        () => cursorOf([new Date().toISOString(), randomUUID()]),
      ],
      [
        'made up with a signature of the right length',
        () => `${cursorOf([new Date().toISOString(), randomUUID()])}.${'A'.repeat(22)}`,
      ],
      [
        'edited to point elsewhere, its signature kept',
        (issued: string) => {
          const [at] = JSON.parse(Buffer.from(issued.split('.')[0], 'base64url').toString()) as string[];
          return `${cursorOf([at, randomUUID()])}.${issued.split('.')[1]}`;
        },
      ],
      ['padded', (issued: string) => `${issued}=`],
      ['followed by characters base64url skips', (issued: string) => `${issued}!!`],
      [
        'spelled with unused bits set',
        (issued: string) => {
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          return issued.slice(0, -1) + alphabet[alphabet.indexOf(issued[issued.length - 1]) ^ 1];
        },
      ],
    ])('a cursor %s is a 400', async (_what, make) => {
      await createProduct(t, 1);
      await createProduct(t, 1);
      const issued = (await t.http().get('/api/products').query({ limit: 1 }).expect(200)).body
        .next_cursor as string;
      const cursor = make(issued);
      expect(cursor).not.toBe(issued);
      expectValidationFailed(await t.http().get('/api/products').query({ cursor }));
      expectValidationFailed(await t.http().get('/api/accounts').set(admin).query({ cursor }));
    });
  });

  describe('a JSON object with the same key twice', () => {
    it('{"amount":1,"amount":2} on a debit is a 400 and moves nothing', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1000);
      const key = randomUUID();
      const res = await t
        .http()
        .post(`/api/wallets/${walletId}/debit`)
        .set(bearer(customer.key))
        .set('Idempotency-Key', key)
        .set('Content-Type', 'application/json')
        .send('{"amount":1,"amount":2}');
      expectValidationFailed(res);
      expect(res.body.errors).toEqual([{ field: 'body', message: 'has an object with the same key twice' }]);
      expect(await balance(walletId)).toBe(1000);
      // Refused before the handler: the key is still free for the body the client meant.
      await t
        .http()
        .post(`/api/wallets/${walletId}/debit`)
        .set(bearer(customer.key))
        .set('Idempotency-Key', key)
        .send({ amount: 1 })
        .expect(201);
      expect(await balance(walletId)).toBe(999);
    });

    it('deep inside a booking (a traveler named twice) is a 400 and debits nothing', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
      const offerId = await flightOfferId(t);
      const res = await t
        .http()
        .post('/api/bookings')
        .set(bearer(customer.key))
        .set('Idempotency-Key', randomUUID())
        .set('Content-Type', 'application/json')
        .send(
          `{"type":"flight","offer_id":${JSON.stringify(offerId)},"wallet_id":"${walletId}",` +
            '"traveler":{"first_name":"Ada","last_name":"Lovelace","last_name":"Decline","email":"ada@example.com"}}',
        );
      expectValidationFailed(res);
      expect(await balance(walletId)).toBe(1_000_000);
    });
  });

  describe('upper-case UUIDs', () => {
    const upper = (id: string) => id.toUpperCase();

    it('in a transfer body are the same wallets, answered in lower case', async () => {
      const from = await customerWithWallet(t, 1000);
      const to = await customerWithWallet(t, 0);
      const res = await t
        .http()
        .post('/api/transfers')
        .set(bearer(from.customer.key))
        .set('Idempotency-Key', randomUUID())
        .send({ from_wallet_id: upper(from.walletId), to_wallet_id: upper(to.walletId), amount: 300 })
        .expect(201);
      expect(res.body).toMatchObject({ from_wallet_id: from.walletId, to_wallet_id: to.walletId });
      expect(await balance(to.walletId)).toBe(300);
      // One wallet in two spellings is still one wallet.
      expectValidationFailed(
        await t
          .http()
          .post('/api/transfers')
          .set(bearer(from.customer.key))
          .set('Idempotency-Key', randomUUID())
          .send({ from_wallet_id: upper(from.walletId), to_wallet_id: from.walletId, amount: 1 }),
      );
    });

    it("in a hold's product_id, a path and a query are matched, and answered in lower case", async () => {
      const product = await createProduct(t, 5);
      const customer = await createCustomer(t);
      const hold = await placeHold(t, customer.key, upper(product.id), 1).expect(201);
      expect(hold.body.product_id).toBe(product.id);
      const read = await t
        .http()
        .get(`/api/holds/${upper(hold.body.id)}`)
        .set(bearer(customer.key))
        .expect(200);
      expect(read.body).toMatchObject({ id: hold.body.id, product_id: product.id });
      expect(
        (
          await t
            .http()
            .get(`/api/products/${upper(product.id)}`)
            .expect(200)
        ).body.id,
      ).toBe(product.id);

      const { customer: owner, walletId } = await customerWithWallet(t, 0);
      const wallets = await t
        .http()
        .get('/api/wallets')
        .set(admin)
        .query({ account_id: upper(owner.id) })
        .expect(200);
      expect(wallets.body.data.map((w: { id: string }) => w.id)).toEqual([walletId]);
    });

    it("in a signed webhook's order_id, pay that order", async () => {
      const order = await pendingOrder(t);
      const res = await sendWebhook(t, succeeded({ order_id: upper(order.orderId), amount: order.amount }));
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 200,
        body: { status: 'processed' },
      });
      const read = await t
        .http()
        .get(`/api/orders/${order.orderId}`)
        .set(bearer(order.customer.key))
        .expect(200);
      expect(read.body.status).toBe('paid');
    });
  });

  describe('limit', () => {
    it.each(['0x10', '1e1', ' 5', '5 ', '+5', '-1', '5.0', '1_0', '\u0665', '', '0', '101'])(
      'limit=%j is a 400',
      async (limit) => {
        const res = await t.http().get('/api/products').query({ limit });
        expectValidationFailed(res);
        expect(res.body.errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'limit' })]),
        );
      },
    );

    it('takes plain decimal digits from 1 to 100, leading zeros included', async () => {
      await createProduct(t, 1);
      await createProduct(t, 1);
      for (const limit of ['1', '01', '001']) {
        expect((await t.http().get('/api/products').query({ limit }).expect(200)).body.data).toHaveLength(1);
      }
      await t.http().get('/api/products').query({ limit: '100' }).expect(200);
    });
  });

  describe('arrays where objects belong, and the reverse', () => {
    it('traveler: [] or [{…}] on a booking is a 400 and debits nothing', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
      for (const traveler of [[], [{ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' }]]) {
        const res = await t
          .http()
          .post('/api/bookings')
          .set(bearer(customer.key))
          .set('Idempotency-Key', randomUUID())
          .send({ type: 'flight', offer_id: 'ama-sbx.x.y', wallet_id: walletId, traveler });
        expectValidationFailed(res);
        expect(res.body.errors).toEqual(
          expect.arrayContaining([{ field: 'traveler', message: 'must be an object' }]),
        );
      }
      expect(await balance(walletId)).toBe(1_000_000);
    });

    it('data: [] in a signed webhook is a 400', async () => {
      const res = await sendWebhook(t, { type: 'payment.succeeded', data: [] });
      expectValidationFailed(res);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([{ field: 'data', message: 'must be an object' }]),
      );
    });

    it('a whole body that is an array, or a scalar where text belongs, is a 400', async () => {
      expectValidationFailed(
        await t
          .http()
          .post('/api/accounts')
          .set(admin)
          .send([{ name: 'Alice' }]),
      );
      expectValidationFailed(
        await t
          .http()
          .post('/api/accounts')
          .set(admin)
          .send({ name: { first: 'Alice' } }),
      );
      expectValidationFailed(
        await t
          .http()
          .post('/api/accounts')
          .set(admin)
          .send({ name: ['Alice'] }),
      );
    });
  });

  describe('webhooks: tolerant reader and id length', () => {
    it('unknown fields anywhere are ignored; the known ones are applied', async () => {
      const order = await pendingOrder(t);
      const event = succeeded({ order_id: order.orderId, amount: order.amount, new_field: { nested: true } });
      const res = await sendWebhook(t, { ...event, api_version: '2027-01-01', livemode: false }).expect(200);
      expect(res.body).toMatchObject({ status: 'processed', order_status: 'paid' });
    });

    it('known fields are still validated', async () => {
      const order = await pendingOrder(t);
      const res = await sendWebhook(t, succeeded({ order_id: order.orderId, amount: -1, extra: 1 }));
      expectValidationFailed(res);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'data.amount' })]);
    });

    it('a webhook-id of 256 characters is a 400; 255 are accepted', async () => {
      const order = await pendingOrder(t);
      const event = succeeded({ order_id: order.orderId, amount: order.amount });
      const long = await sendWebhook(t, event, { id: 'w'.repeat(256) });
      expectValidationFailed(long);
      expect(long.body.errors).toEqual([{ field: 'webhook-id', message: 'must be 1 to 255 characters' }]);
      await sendWebhook(t, event, { id: 'w'.repeat(255) }).expect(200);
    });
  });

  describe('currencies', () => {
    it('three capital letters that are not an ISO 4217 currency are a 400 for wallets and products', async () => {
      const customer = await createCustomer(t);
      for (const currency of ['ZZZ', 'XXX', 'usd', 'US']) {
        expectValidationFailed(
          await t.http().post('/api/wallets').set(bearer(customer.key)).send({ currency }),
        );
        expectValidationFailed(
          await t.http().post('/api/products').set(admin).send({ name: 'P', price: 1, currency, stock: 1 }),
        );
      }
      await t.http().post('/api/wallets').set(bearer(customer.key)).send({ currency: 'JPY' }).expect(201);
    });
  });

  describe('what a route does not take', () => {
    it('unknown query parameters on single-resource GETs are a 400', async () => {
      const product = await createProduct(t, 5);
      const customer = await createCustomer(t);
      const hold = await placeHold(t, customer.key, product.id, 1).expect(201);
      for (const [path, auth] of [
        [`/api/products/${product.id}`, {}],
        [`/api/holds/${hold.body.id}`, bearer(customer.key)],
        ['/api/accounts/me', bearer(customer.key)],
      ] as const) {
        const res = await t.http().get(path).set(auth).query({ expand: 'everything' });
        expectValidationFailed(res);
        expect(res.body.errors).toEqual([
          { field: 'expand', message: 'is not a query parameter of this endpoint' },
        ]);
        await t.http().get(path).set(auth).expect(200);
      }
    });

    // Found by the fuzz tier: the ValidationPipe deletes these keys before validating, so the
    // whitelist never saw them and they were ignored instead of refused.
    it('__proto__, constructor and prototype are unknown fields like any other, in a query and at any depth of a body', async () => {
      const offers = `origin=JFK&destination=LHR&departure_date=${inDays(30)}&adults=1`;
      for (const name of ['__proto__', 'constructor', 'prototype']) {
        const list = await t.http().get(`/api/products?${name}=x`);
        expectValidationFailed(list);
        expect(list.body.errors).toEqual([{ field: name, message: `property ${name} should not exist` }]);
        expectValidationFailed(await t.http().get(`/api/flights/offers?${offers}&${name}=x`));
        const account = await t
          .http()
          .post('/api/accounts')
          .set(admin)
          .set('Content-Type', 'application/json')
          .send(`{"name":"Proto","${name}":{"role":"admin"}}`);
        expectValidationFailed(account);
        expect(account.body.errors).toEqual([{ field: name, message: `property ${name} should not exist` }]);
      }
      const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
      const res = await t
        .http()
        .post('/api/bookings')
        .set(bearer(customer.key))
        .set('Idempotency-Key', randomUUID())
        .set('Content-Type', 'application/json')
        .send(
          JSON.stringify({
            type: 'flight',
            offer_id: 'ama-sbx.x.y',
            wallet_id: walletId,
            traveler: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' },
          }).replace('"first_name"', '"constructor":1,"first_name"'),
        );
      expectValidationFailed(res);
      expect(res.body.errors).toEqual([
        { field: 'traveler.constructor', message: 'property constructor should not exist' },
      ]);
      expect(await balance(walletId)).toBe(1_000_000);
    });

    it('a body on a body-less action (release, cancel) is a 400 and changes nothing; {} is no body', async () => {
      const product = await createProduct(t, 5);
      const customer = await createCustomer(t);
      const hold = await placeHold(t, customer.key, product.id, 1).expect(201);
      expectValidationFailed(
        await t.http().delete(`/api/holds/${hold.body.id}`).set(bearer(customer.key)).send({ force: true }),
      );
      expect((await t.http().get(`/api/holds/${hold.body.id}`).set(bearer(customer.key))).body.status).toBe(
        'active',
      );
      await t.http().delete(`/api/holds/${hold.body.id}`).set(bearer(customer.key)).send({}).expect(200);

      const other = await placeHold(t, customer.key, product.id, 1).expect(201);
      const order = await createOrder(t, customer.key, other.body.id).expect(201);
      expectValidationFailed(
        await t
          .http()
          .post(`/api/orders/${order.body.id}/cancel`)
          .set(bearer(customer.key))
          .send({ reason: 'x' }),
      );
      expect((await t.http().get(`/api/orders/${order.body.id}`).set(bearer(customer.key))).body.status).toBe(
        'pending_payment',
      );
      await t.http().post(`/api/orders/${order.body.id}/cancel`).set(bearer(customer.key)).expect(200);
    });
  });

  describe('amounts past 2^53 - 1', () => {
    it('a hold of 2 at price 9007199254740991 is a 422 amount_too_large, and nothing is reserved', async () => {
      const product = await createProduct(t, 5, { price: 9007199254740991 });
      const customer = await createCustomer(t);
      const res = await placeHold(t, customer.key, product.id, 2);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code: 'amount_too_large' });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await stockInDb(t, product.id)).toEqual({
        total_stock: 5,
        available_stock: 5,
        reserved_stock: 0,
        sold_stock: 0,
      });
      // One unit is the largest amount there is, and an order can carry it.
      const hold = await placeHold(t, customer.key, product.id, 1).expect(201);
      await createOrder(t, customer.key, hold.body.id).expect(201);
    });
  });

  describe('offer ids the provider did not issue (sandbox)', () => {
    const forge = (prefix: string, payload: object) =>
      `${prefix}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;

    it.each([
      [
        'flight',
        'a departure on 2026-99-99',
        forge('ama-sbx', {
          origin: 'JFK',
          destination: 'LHR',
          departureDate: '2026-99-99',
          adults: 1,
          carrier: 0,
        }),
      ],
      [
        'flight',
        'a valid-looking flight',
        forge('ama-sbx', {
          origin: 'JFK',
          destination: 'LHR',
          departureDate: inDays(30),
          adults: 1,
          carrier: 0,
        }),
      ],
      [
        'hotel',
        'a check-out on 2026-12-99',
        forge('bkg-sbx', { city: 'PAR', checkIn: '2026-12-24', checkOut: '2026-12-99', guests: 2, hotel: 0 }),
      ],
    ])('%s with %s is a 422 offer_unavailable and debits nothing', async (type, _what, offerId) => {
      const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
      const res = await t
        .http()
        .post('/api/bookings')
        .set(bearer(customer.key))
        .set('Idempotency-Key', randomUUID())
        .send({
          type,
          offer_id: offerId,
          wallet_id: walletId,
          traveler: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' },
        });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code: 'offer_unavailable' });
      expect(await balance(walletId)).toBe(1_000_000);
    });

    /** The last character of a 16-byte MAC in base64url carries 2 bits and 4 unused ones. */
    const sameBitsOtherSpelling = (id: string) => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(id[id.length - 1]);
      return id.slice(0, -1) + alphabet[last ^ 1];
    };

    it.each([
      ['padding', (id: string) => `${id}==`],
      ['characters base64url skips', (id: string) => `${id}!!`],
      ['a right-to-left override', (id: string) => `${id}\u202e`],
      ['unused bits set in its last character', sameBitsOtherSpelling],
      [
        'the signature of a key derived from ADMIN_API_KEY',
        (id: string) => {
          const [prefix, payload] = id.split('.');
          return encodeOfferId(prefix, JSON.parse(Buffer.from(payload, 'base64url').toString()), oldKey());
        },
      ],
    ])('an issued offer id with %s is a 422 offer_unavailable and debits nothing', async (_what, respell) => {
      const offerId = await flightOfferId(t);
      const spelled = respell(offerId);
      expect(spelled).not.toBe(offerId);
      const { customer, walletId } = await customerWithWallet(t, 1_000_000, 'EUR');
      const res = await bookFlight(t, customer.key, spelled, walletId);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code: 'offer_unavailable' });
      expect(await balance(walletId)).toBe(1_000_000);
      await bookFlight(t, customer.key, offerId, walletId).expect(202);
    });
  });

  // Found by the fuzz tier on Fastify: its parser matches `application/json` whatever the charset
  // parameter says, so a body declared latin1 or ascii was read as UTF-8 and obeyed.
  describe('bodies in a charset other than UTF-8', () => {
    const OTHER_CHARSETS = ['latin1', 'ISO-8859-1', 'ascii', 'utf-16', 'utf8', ''];

    it('are a 415 unsupported_media_type on a debit, and move nothing; charset=utf-8 is read', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1000);
      for (const charset of OTHER_CHARSETS) {
        const res = await t
          .http()
          .post(`/api/wallets/${walletId}/debit`)
          .set(bearer(customer.key))
          .set('Idempotency-Key', randomUUID())
          .set('Content-Type', `application/json; charset=${charset}`)
          .send(JSON.stringify({ amount: 100 }));
        expect([charset, res.status, res.body.code]).toEqual([charset, 415, 'unsupported_media_type']);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(await balance(walletId)).toBe(1000);
      for (const contentType of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"']) {
        await t
          .http()
          .post(`/api/wallets/${walletId}/debit`)
          .set(bearer(customer.key))
          .set('Idempotency-Key', randomUUID())
          .set('Content-Type', contentType)
          .send(JSON.stringify({ amount: 100 }))
          .expect(201);
      }
      expect(await balance(walletId)).toBe(800);
    });

    it('are a 415 on a signed webhook too, and the order stays unpaid', async () => {
      const order = await pendingOrder(t);
      const body = JSON.stringify(succeeded({ order_id: order.orderId, amount: order.amount }));
      const id = `msg_${randomUUID()}`;
      const ts = Math.floor(Date.now() / 1000);
      const res = await t
        .http()
        .post('/api/payments/webhook')
        .set('Content-Type', 'application/json; charset=latin1')
        .set('webhook-id', id)
        .set('webhook-timestamp', String(ts))
        .set(
          'webhook-signature',
          new WebhookSignature(process.env.WEBHOOK_SECRET as string).sign(id, ts, body),
        )
        .send(body);
      expect({ status: res.status, code: res.body.code }).toEqual({
        status: 415,
        code: 'unsupported_media_type',
      });
      const now = await t
        .http()
        .get(`/api/orders/${order.orderId}`)
        .set(bearer(order.customer.key))
        .expect(200);
      expect(now.body.status).toBe('pending_payment');
    });
  });

  // Found by the fuzz tier: the ValidationPipe takes a `null` body for `{}`, and a refund's fields
  // are all optional, so `null` refunded everything that was left.
  describe('a JSON null where a body object belongs', () => {
    it('is a 400 on a refund, and nothing is refunded; no body and {} still refund all that is left', async () => {
      const refund = (orderId: string, body: string | undefined) => {
        const req = t
          .http()
          .post(`/api/orders/${orderId}/refund`)
          .set(admin)
          .set('Idempotency-Key', randomUUID());
        return body === undefined ? req : req.set('Content-Type', 'application/json').send(body);
      };
      const order = await pendingOrder(t, { balance: 10_000 });
      await pay(t, order.customer.key, order.orderId, order.walletId).expect(200);
      const res = await refund(order.orderId, 'null');
      expectValidationFailed(res);
      expect(res.body.errors).toEqual([{ field: 'body', message: 'must be an object' }]);
      expect(await balance(order.walletId)).toBe(10_000 - order.amount);
      const paid = await t.http().get(`/api/orders/${order.orderId}`).set(admin).expect(200);
      expect(paid.body).toMatchObject({ status: 'paid', refunded_amount: 0 });

      expect((await refund(order.orderId, undefined).expect(200)).body.status).toBe('refunded');
      const other = await pendingOrder(t, { balance: 10_000 });
      await pay(t, other.customer.key, other.orderId, other.walletId).expect(200);
      expect((await refund(other.orderId, '{}').expect(200)).body.status).toBe('refunded');
      expect(await balance(other.walletId)).toBe(10_000);
    });

    it('is a 400 on a payment resolution and a transfer', async () => {
      const { customer, walletId } = await customerWithWallet(t, 1000);
      for (const [path, key] of [
        [`/api/admin/payments/${randomUUID()}/resolve`, admin],
        ['/api/transfers', bearer(customer.key)],
      ] as const) {
        const res = await t
          .http()
          .post(path)
          .set(key)
          .set('Idempotency-Key', randomUUID())
          .set('Content-Type', 'application/json')
          .send('null');
        expectValidationFailed(res);
        expect(res.body.errors).toEqual([{ field: 'body', message: 'must be an object' }]);
      }
      expect(await balance(walletId)).toBe(1000);
    });
  });

  // Found by the fuzz tier on Fastify: the router answers a path it cannot decode, or a segment
  // past its maxParamLength, before any route or filter runs, and answered with Fastify's bare JSON.
  describe('paths the router cannot take', () => {
    it.each([
      ['malformed percent-encoding', '/api/products/%FF'],
      ['an encoded unpaired surrogate', '/api/wallets/%ED%A0%80/transactions'],
      ['a segment of 1001 characters', `/api/orders/${'a'.repeat(1001)}`],
    ])('%s is a 400 validation_failed problem with its request id', async (_what, path) => {
      const res = await t.http().get(path).set(admin).set('x-request-id', 'bad-url-1');
      expectValidationFailed(res);
      expect(res.headers['x-request-id']).toBe('bad-url-1');
      expect(res.body.request_id).toBe('bad-url-1');
    });
  });
  describe('requests without Host', () => {
    let port: number;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      port = ((t.app.getHttpServer() as Server).address() as AddressInfo).port;
    });

    /** Writes `head` on a fresh connection; resolves with the status line, headers and body. */
    const raw = (head: string) =>
      new Promise<{ status: number; headers: string; body: string }>((resolve) => {
        let text = '';
        const socket = connect(port, '127.0.0.1', () => socket.write(head));
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          const split = text.indexOf('\r\n\r\n');
          resolve({
            status: Number(text.slice(9, 12)),
            headers: text.slice(0, split),
            body: text.slice(split + 4),
          });
        });
      });

    it('an HTTP/1.1 request without Host is a 400 problem with its request id', async () => {
      const res = await raw(
        'GET /api/products HTTP/1.1\r\nx-request-id: no-host-1\r\nConnection: close\r\n\r\n',
      );
      expect(res.status).toBe(400);
      expect(res.headers).toMatch(/content-type: application\/problem\+json/i);
      expect(res.headers).toMatch(/x-request-id: no-host-1/i);
      expect(JSON.parse(res.body)).toMatchObject({
        status: 400,
        code: 'validation_failed',
        request_id: 'no-host-1',
        errors: [{ field: 'host', message: 'is required in HTTP/1.1' }],
      });
    });

    it('an HTTP/1.1 request with Host, and an HTTP/1.0 one without (Host is optional there), are answered', async () => {
      expect((await raw('GET /api/products HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).toBe(
        200,
      );
      const old = await raw('GET /api/products HTTP/1.0\r\n\r\n');
      expect(old.status).toBe(200);
      expect(JSON.parse(old.body)).toMatchObject({ data: expect.any(Array) });
    });
  });
});
