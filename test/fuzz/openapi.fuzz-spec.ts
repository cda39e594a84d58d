import { randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import * as fc from 'fast-check';
import { DataSource } from 'typeorm';
import { EventRecorder } from '../../src/modules/event/application/event-recorder';
import { RelayEventsService } from '../../src/modules/event/application/relay-events.service';
import { HOST_RESOLVER } from '../../src/modules/event/event.tokens';
import { WebhookDeliveryProcessor } from '../../src/modules/event/infrastructure/webhook-delivery.processor';
import { WebhookSignature } from '../../src/modules/payment/domain/webhook-signature';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { bookFlight, flightOfferId, inDays } from '../support/booking-fixtures';
import { eventually, createOrder, createProduct, placeHold } from '../support/inventory-fixtures';
import { pay, sendWebhook, succeeded } from '../support/payment-fixtures';
import { createCustomer, createTestApp, type TestApp } from '../support/test-app';
import { authorize, bearer, credit, customerWithWallet } from '../support/wallet-fixtures';

/**
 * The fuzz tier: every operation of the committed OpenAPI document gets generated requests that are
 * valid except for at least one hostile part (path, query, header or body), and fully random ones,
 * with the admin key, the customer key and no key in turn. Every answer must be below 500, every
 * error a problem+json with a known code, every request with a hostile part a 4xx, and no balance,
 * stock, hold, order, payment, refund, transfer, booking or key may have moved after any operation.
 *
 * Seeded (FUZZ_SEED) and bounded: FUZZ_RUNS rounds of 1-3 concurrent requests per operation, and
 * FUZZ_BUDGET_MS for the whole run, split over the operations. The budget may cut an operation short,
 * but not below FUZZ_MIN_RUNS rounds: an operation that ran fewer fails, so that a slow machine
 * cannot turn the tier into a handful of requests that pass. A failure prints its counterexample
 * and the command that replays it; a case found here becomes a fixed test in
 * test/e2e/hostile-input.e2e-spec.ts.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const MIN_RUNS = Math.min(RUNS, Number(process.env.FUZZ_MIN_RUNS ?? 20));
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 50_000);

/** The codes of API.md's error table, and the two the service answers with beyond it. */
const KNOWN_CODES = new Set([
  'validation_failed',
  'idempotency_key_required',
  'invalid_idempotency_key',
  'unauthorized',
  'invalid_signature',
  'forbidden',
  'not_found',
  'insufficient_stock',
  'hold_not_active',
  'order_not_payable',
  'order_not_cancellable',
  'order_not_refundable',
  'authorization_not_pending',
  'amount_exceeds_authorization',
  'payment_not_resolvable',
  'limit_exceeded',
  'wallet_exists',
  'idempotency_key_in_use',
  'hold_expired',
  'payload_too_large',
  'insufficient_funds',
  'currency_mismatch',
  'idempotency_key_reused',
  'refund_exceeds_payment',
  'balance_limit_exceeded',
  'offer_unavailable',
  'provider_unavailable',
  'rate_limited',
  'wallet_busy',
  'resource_busy',
  'service_unavailable',
  'booking_not_cancellable',
  'traveler_details_required',
  // Not in API.md's table:
  'amount_too_large', // 422: price × quantity past 2^53 - 1 (POST /api/orders; in openapi.json)
  'unsupported_media_type', // 415: a body in a Content-Encoding or charset the service does not read
  'booking_not_resolvable', // 409: resolving a booking that is not action_required (in openapi.json)
  'invalid_webhook_url', // 422: a webhook endpoint URL that is not https to a public address
]);

// ---------------------------------------------------------------------------------------------
// The OpenAPI document

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
  responses: Record<string, unknown>;
}
interface Document {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, Schema> };
}

const doc = JSON.parse(readFileSync(join(__dirname, '../../openapi.json'), 'utf8')) as Document;

const deref = (schema: Schema): Schema =>
  schema.$ref ? deref(doc.components.schemas[schema.$ref.split('/').pop() as string]) : schema;

type Role = 'admin' | 'customer' | 'public';

interface Operation {
  id: string;
  method: string;
  path: string;
  role: Role;
  params: Parameter[];
  body?: Schema;
  /** Signed instead of keyed, and a tolerant reader: unknown fields in its body are ignored (API.md). */
  webhook: boolean;
  mutating: boolean;
}

const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, item]) =>
  ['get', 'put', 'post', 'patch', 'delete']
    .filter((method) => item[method])
    .map((method) => {
      const op = item[method];
      const schema = op.requestBody?.content['application/json']?.schema;
      const webhook = path === '/api/payments/webhook';
      return {
        id: `${method.toUpperCase()} ${path}`,
        method,
        path,
        // A 403 is documented exactly where a customer key is refused (API.md: admin endpoints). An
        // empty requirement among the alternatives (`/metrics` without METRICS_TOKEN) needs no key.
        role: (op.security?.length && !op.security.some((r) => Object.keys(r as object).length === 0)
          ? op.responses['403']
            ? 'admin'
            : 'customer'
          : 'public') as Role,
        params: op.parameters ?? [],
        body: schema ? deref(schema) : undefined,
        webhook,
        mutating: method !== 'get',
      };
    }),
);

// ---------------------------------------------------------------------------------------------
// The real resources that valid parts of a request name

interface Order {
  id: string;
  holdId: string;
  amount: number;
}

/**
 * Each resource has one use in a valid request, so that the valid form of every mutating request
 * can be sent once at the end, in turn, and succeed: every refused request was that far from an
 * effect.
 */
interface Fixtures {
  admin: string;
  customer: { id: string; key: string };
  usdWallet: string;
  eurWallet: string;
  otherAccount: string;
  /** The other account's USD wallet: where transfers go. */
  otherWallet: string;
  productId: string;
  /** A product with max_per_account 2: a hold of 3 is over the limit. */
  limitedProductId: string;
  /** Read, and released at the end. */
  holdToRelease: string;
  /** Named by POST /api/orders. */
  holdToOrder: string;
  /** Read, and cancelled at the end. */
  orderToCancel: Order;
  orderToPay: Order;
  /** Paid by the webhook. */
  orderForWebhook: Order;
  paidOrder: string;
  /** The succeeded payment of paidOrder: not one to resolve. */
  paidPayment: string;
  /** A cancelled order whose payment then succeeded: refund_required, resolved at the end. */
  orderToResolve: Order;
  paymentToResolve: string;
  /** A booking whose outcome is unknown (sandbox "Timeout"): action_required, resolved at the end. */
  bookingToResolve: string;
  /** From usdWallet to otherWallet. */
  transferId: string;
  bookingId: string;
  /** Pending authorizations of 500 on usdWallet: one read, one captured and one voided at the end. */
  authorizationToRead: string;
  authorizationToCapture: string;
  authorizationToVoid: string;
  offerId: string;
  cursor: string;
  /** One of the customer's events. */
  eventId: string;
  /** The customer's webhook endpoint (its deliveries never attempted: no worker runs them here). */
  endpointId: string;
  /** A pending delivery to endpointId. */
  deliveryId: string;
  /** Deleted at the end. */
  endpointToDelete: string;
}

/**
 * The resource each path's `{id}` names in a request that is valid there (by operation where the
 * methods of a path need different ones; by name where a path has several).
 */
const PATH_IDS: Record<string, (f: Fixtures) => string | Record<string, string>> = {
  '/api/accounts/{id}/api-keys': (f) => f.customer.id,
  '/api/products/{id}': (f) => f.productId,
  '/api/holds/{id}': (f) => f.holdToRelease,
  '/api/orders/{id}': (f) => f.orderToCancel.id,
  '/api/orders/{id}/cancel': (f) => f.orderToCancel.id,
  '/api/orders/{id}/pay': (f) => f.orderToPay.id,
  '/api/orders/{id}/refund': (f) => f.paidOrder,
  '/api/wallets/{id}': (f) => f.usdWallet,
  '/api/wallets/{id}/credit': (f) => f.usdWallet,
  '/api/wallets/{id}/debit': (f) => f.usdWallet,
  '/api/wallets/{id}/transactions': (f) => f.usdWallet,
  '/api/bookings/{id}': (f) => f.bookingId,
  '/api/bookings/{id}/cancel': (f) => f.bookingId,
  '/api/admin/bookings/{id}/resolve': (f) => f.bookingToResolve,
  '/api/admin/payments/{id}/resolve': (f) => f.paymentToResolve,
  '/api/transfers/{id}': (f) => f.transferId,
  '/api/wallets/{id}/authorizations': (f) => f.usdWallet,
  '/api/authorizations/{id}': (f) => f.authorizationToRead,
  '/api/authorizations/{id}/capture': (f) => f.authorizationToCapture,
  '/api/authorizations/{id}/void': (f) => f.authorizationToVoid,
  '/api/events/{id}': (f) => f.eventId,
  '/api/webhook-endpoints/{id}': (f) => f.endpointId,
  'DELETE /api/webhook-endpoints/{id}': (f) => f.endpointToDelete,
  '/api/webhook-endpoints/{id}/rotate-secret': (f) => f.endpointId,
  '/api/webhook-endpoints/{id}/deliveries': (f) => f.endpointId,
  '/api/webhook-endpoints/{id}/deliveries/{delivery_id}/retry': (f) => ({
    id: f.endpointId,
    delivery_id: f.deliveryId,
  }),
};

/** The fixture id of a path parameter in a valid request of `op`. */
const pathId = (op: Operation, name: string, f: Fixtures): string | undefined => {
  const ids = (PATH_IDS[op.id] ?? PATH_IDS[op.path])?.(f);
  return typeof ids === 'object' ? ids[name] : ids;
};

/** Body fields and query parameters whose valid value is a real resource or depends on the day. */
function validField(op: Operation, name: string, f: Fixtures): unknown {
  switch (name) {
    case 'product_id':
      return f.productId;
    case 'hold_id':
      return op.webhook ? f.orderForWebhook.holdId : f.holdToOrder;
    case 'order_id':
      return f.orderForWebhook.id;
    case 'account_id':
      return f.customer.id;
    case 'wallet_id':
      return op.path === '/api/bookings' ? f.eurWallet : f.usdWallet;
    case 'from_wallet_id':
      return f.usdWallet;
    case 'to_wallet_id':
      return f.otherWallet;
    case 'offer_id':
      return f.offerId;
    case 'amount':
      return op.webhook ? f.orderForWebhook.amount : 100;
    // The customer has USD and EUR wallets already.
    case 'currency':
      return op.path === '/api/wallets' ? 'GBP' : undefined;
    case 'max_per_account':
      return op.path === '/api/products' ? 5 : undefined;
    // What the sandbox's pricing of a flight requires of its traveller.
    case 'date_of_birth':
      return '1990-04-21';
    case 'failed':
      return op.path === '/api/admin/bookings/{id}/resolve' ? true : undefined;
    case 'departure_date':
    case 'check_in':
      return inDays(30);
    case 'check_out':
      return inDays(33);
    default:
      return undefined;
  }
}

/** Ids of a resource of another kind, or of none: refused wherever they are put (but in a webhook). */
function wrongIds(f: Fixtures, valid: unknown): string[] {
  return [
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '0190a6b2-4c1e-7c3a-9e2f-5b6d7e8f9a0b',
    f.bookingId,
    f.productId,
    f.transferId,
  ].filter((id) => id !== valid);
}

const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

/**
 * Requests of the right shape that the domain refuses, deep in its transactions: the largest
 * amounts, the wrong currency, an order or hold in the wrong state.
 */
const DOMAIN_REFUSALS: Record<
  string,
  (f: Fixtures) => Array<{ id?: string; body?: Record<string, unknown> }>
> = {
  'POST /api/wallets/{id}/debit': () => [{ body: { amount: MAX_AMOUNT } }, { body: { amount: 1_000_001 } }],
  'POST /api/wallets/{id}/credit': () => [{ body: { amount: MAX_AMOUNT } }],
  'POST /api/wallets/{id}/authorizations': () => [
    { body: { amount: MAX_AMOUNT } },
    { body: { amount: 1_000_001 } },
  ],
  'POST /api/authorizations/{id}/capture': () => [
    { body: { amount: 501 } },
    { body: { amount: MAX_AMOUNT } },
  ],
  'POST /api/holds': (f) => [
    { body: { quantity: 1000 } },
    { body: { quantity: 51 } },
    { body: { product_id: f.limitedProductId, quantity: 3 } },
  ],
  'POST /api/orders': (f) => [{ body: { hold_id: f.orderToCancel.holdId } }],
  'POST /api/bookings': (f) => [{ body: { wallet_id: f.usdWallet } }],
  'POST /api/orders/{id}/pay': (f) => [{ id: f.paidOrder }, { body: { wallet_id: f.eurWallet } }],
  'POST /api/orders/{id}/refund': (f) => [
    { id: f.orderToPay.id },
    { id: f.orderToResolve.id },
    // Every fixture order is for the same two units, so this is one more than the paid order's amount.
    { body: { amount: f.orderToPay.amount + 1 } },
    { body: { amount: MAX_AMOUNT } },
  ],
  'POST /api/admin/payments/{id}/resolve': (f) => [
    { id: f.paidPayment },
    { body: { wallet_id: f.eurWallet } },
  ],
  'POST /api/transfers': (f) => [
    { body: { amount: MAX_AMOUNT } },
    { body: { amount: 1_000_001 } },
    { body: { to_wallet_id: f.eurWallet } },
    { body: { to_wallet_id: f.usdWallet } },
    { body: { from_wallet_id: f.eurWallet } },
  ],
  'POST /api/orders/{id}/cancel': (f) => [{ id: f.paidOrder }],
  'DELETE /api/holds/{id}': (f) => [{ id: f.orderToCancel.holdId }],
  'POST /api/wallets': () => [{ body: { currency: 'USD' } }],
};

/**
 * Bodies that take exactly one of some fields, which the schema cannot say (API.md: a payment is
 * resolved to a wallet or with an external reference): neither and both are refused.
 */
const EXACTLY_ONE_OF: Record<string, Record<string, unknown>> = {
  'POST /api/admin/payments/{id}/resolve': { external_reference: 're_fuzz' },
  'POST /api/admin/bookings/{id}/resolve': { confirmation_code: 'QVH2B1', provider_reference: 'eJzT' },
};

function domainParts(
  op: Operation,
  f: Fixtures,
  base: Record<string, unknown> | undefined,
): fc.Arbitrary<Part>[] {
  const refusals = DOMAIN_REFUSALS[op.id]?.(f) ?? [];
  if (refusals.length === 0) return [];
  return [
    fc.constantFrom(...refusals).map(({ id, body }) =>
      part(`refused by the domain: ${show(id ?? body)}`, (req) => ({
        ...req,
        pathParams: id ? { ...req.pathParams, id } : req.pathParams,
        body: body ? { text: toJson({ ...base, ...body }), encoding: 'utf8' } : req.body,
      })),
    ),
  ];
}

function validValue(op: Operation, name: string, schema: Schema, f: Fixtures): unknown {
  const s = deref(schema);
  const fixture = validField(op, name, f);
  if (fixture !== undefined) return fixture;
  if (s.type === 'object' || s.properties) return validBody(op, s, f);
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  if (s.format === 'uuid') return randomUUID();
  if (s.format === 'date-time') return new Date().toISOString();
  if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 1;
  return 'x';
}

/** The required fields, and the optional ones that name a real resource (a webhook's order_id). */
function validBody(op: Operation, schema: Schema, f: Fixtures): Record<string, unknown> {
  const required = new Set(schema.required ?? []);
  return Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .filter(([name]) => required.has(name) || validField(op, name, f) !== undefined)
      .map(([name, property]) => [name, validValue(op, name, property, f)]),
  );
}

// ---------------------------------------------------------------------------------------------
// Requests as plain data, so that fast-check can print a counterexample

/** JSON text placed as is: numbers no JavaScript value stands for (1e309), deep nesting, broken JSON. */
class Raw {
  constructor(readonly json: string) {}
}

function toJson(value: unknown): string {
  if (value instanceof Raw) return value.json;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Replaces (or adds, or with `undefined` removes) one field, keeping own `__proto__` keys as data. */
function withField(object: Record<string, unknown>, name: string, value: unknown): Record<string, unknown> {
  const entries = Object.entries(object).filter(([key]) => key !== name);
  return Object.fromEntries(value === undefined ? entries : [...entries, [name, value]]);
}

type Auth = 'expected' | 'admin' | 'customer' | 'none';

interface FuzzRequest {
  op: string;
  auth: Auth;
  /** Path parameters, already percent-encoded. */
  pathParams: Record<string, string>;
  query: Array<[string, string]>;
  /** Query pairs written as they are (malformed percent-encoding). */
  rawQuery?: string;
  headers: Record<string, string | null>;
  body?: { text: string; encoding: 'utf8' | 'latin1' };
  contentType?: string | null;
  /** Webhook delivery headers; the signature is computed over the body sent unless given. */
  webhook?: { id?: string | null; timestamp?: string | null; signature?: string | null };
  /** What is wrong with this request; empty for a fully random one. */
  hostile: string[];
}

/** Percent-encoding that also writes unpaired surrogates (as a hostile client would, WTF-8). */
function pctEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(text[i]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hostile values

const INJECTION = [
  "' OR '1'='1",
  "1'; DROP TABLE wallets; --",
  '1 UNION SELECT api_key_hash FROM accounts',
  "'; SELECT pg_sleep(5); --",
  '{"$gt": ""}',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '\r\nX-Injected: 1',
  '%00',
  '\\u0000',
  '😀'.repeat(40),
  '\u202e\u0644\u0627',
];
const UUID_LIKE = [
  '00000000-0000-0000-0000-00000000000',
  '{0190a6b2-4c1e-7c3a-9e2f-5b6d7e8f9a0b}',
  '0190a6b24c1e7c3a9e2f5b6d7e8f9a0b',
  '0190a6b2-4c1e-7c3a-9e2f-5b6d7e8f9a0bx',
  ' 0190a6b2-4c1e-7c3a-9e2f-5b6d7e8f9a0b',
  '0190a6b2-4c1e-7c3a-9e2f-5b6d7e8f9a0b\n',
  '0190a6b2-4c1e-7c3a-9e2f-5b6d7e8f9a0g',
  '０１９０a6b2-4c1e-7c3a-9e2f-5b6d7e8f9a0b',
];

const word = fc.string({ unit: 'grapheme-ascii', maxLength: 12 });
const loneSurrogate = fc
  .oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff }))
  .map((unit) => String.fromCharCode(unit));
const withNul = fc.tuple(word, word).map(([a, b]) => `${a}\u0000${b}`);
const withSurrogate = fc.tuple(word, loneSurrogate, word).map(([a, s, b]) => `${a}${s}${b}`);
const repeated = (min: number, max: number, char = 'a') =>
  fc.integer({ min, max }).map((n) => char.repeat(n));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const deep = (levels: number, open = '[', close = ']', inner = '') =>
  new Raw(`${open.repeat(levels)}${inner}${close.repeat(levels)}`);
const deepValue = fc.oneof(
  fc.integer({ min: 33, max: 200 }).map((n) => deep(n)),
  fc.integer({ min: 33, max: 200 }).map((n) => deep(n, '{"a":', '}', '1')),
  fc.constantFrom(deep(5000), deep(20_000, '{"a":', '}', '1')),
);
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.array(word, { minLength: 1, maxLength: 3 }),
  fc.constant({}),
  fc.dictionary(word, word, { minKeys: 1, maxKeys: 3 }),
);

/** A value that the schema refuses (and API.md: no NUL, no unpaired surrogate, no unsafe number). */
function hostileValue(schema: Schema, required: boolean, name: string): fc.Arbitrary<unknown> {
  const values = refusedValue(schema, required, name);
  // An optional field sent as null is taken as left out (class-validator's IsOptional).
  return required ? values : values.filter((v) => v !== null);
}

function refusedValue(schema: Schema, required: boolean, name: string): fc.Arbitrary<unknown> {
  const s = deref(schema);
  if (s.type === 'integer' || s.type === 'number') return hostileInteger(s);
  if (s.type === 'object' || s.properties) {
    return fc.oneof(
      notAString.filter((v) => !isPlainObject(v)),
      fc.constant('{}'),
      deepValue,
    );
  }
  const options: fc.Arbitrary<unknown>[] = [
    notAString,
    withNul,
    withSurrogate,
    repeated(5000, 20_000),
    deepValue,
  ];
  if (s.maxLength !== undefined) options.push(repeated(s.maxLength + 1, s.maxLength + 300));
  const constrained = s.format !== undefined || s.pattern !== undefined || s.enum !== undefined;
  if (constrained || required || (s.minLength ?? 0) > 0) options.push(fc.constant(''));
  if (constrained) {
    const refused = (v: string) =>
      !(s.enum ?? []).includes(v) &&
      !(s.pattern && new RegExp(s.pattern).test(v)) &&
      !(s.format === 'uuid' && UUID.test(v));
    options.push(fc.oneof(fc.constantFrom(...INJECTION, ...UUID_LIKE), word).filter(refused));
    if (s.enum) options.push(fc.constantFrom(...s.enum.map((v) => String(v).toUpperCase() + ' ')));
  }
  if (name === 'currency') options.push(fc.constantFrom('usd', 'US', 'USDX', 'ZZZ', 'XXX', 'U$D', 'ＵＳＤ'));
  if (name === 'email') options.push(fc.constantFrom('ada', 'ada@', '@example.com', 'a b@example.com'));
  return fc.oneof(...options);
}

const isPlainObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

function hostileInteger(s: Schema): fc.Arbitrary<unknown> {
  const max = Math.min(s.maximum ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const options: fc.Arbitrary<unknown>[] = [
    fc.constantFrom(
      max + 1,
      2 ** 53,
      2 ** 53 + 2,
      1.5,
      0.5,
      -2.5,
      1e308,
      new Raw('1e309'),
      new Raw('-1e309'),
      new Raw('9007199254740993'),
      new Raw('123456789012345678901234567890'),
      new Raw('1' + '0'.repeat(400)),
      '1',
      '100',
      true,
      null,
      [],
      [1],
      {},
    ),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
    notAString.filter((v) => typeof v !== 'number'),
    deepValue,
  ];
  if (max < 2 ** 31) options.push(fc.integer({ min: max + 1, max: 2 ** 31 }));
  if (s.minimum !== undefined) {
    options.push(fc.integer({ min: -(2 ** 31), max: s.minimum - 1 }));
    options.push(fc.constantFrom(s.minimum - 1, -1, -(2 ** 53)));
    if (s.minimum > 0) options.push(fc.constantFrom(0, new Raw('-0'), new Raw('1e-400'), new Raw('0.0')));
  }
  return fc.oneof(...options);
}

// ---------------------------------------------------------------------------------------------
// Hostile parts of a request, by where they are

type Patch = (req: FuzzRequest) => FuzzRequest;
interface Part {
  note: string;
  apply: Patch;
}
const part = (note: string, apply: Patch): Part => ({ note, apply });
const withHeader =
  (name: string, value: string | null): Patch =>
  (req) => ({
    ...req,
    headers: { ...req.headers, [name]: value },
  });
const show = (v: unknown) => {
  const text = v instanceof Raw ? v.json : typeof v === 'string' ? JSON.stringify(v) : toJson(v);
  return text.length > 80 ? `${text.slice(0, 60)}… (${text.length} chars)` : text;
};

const RAW_PATH = ['.', '..', '%', '%ZZ', '%00', '%ED%A0%80', '%C0%AE%C0%AE', '%2e%2e', '%2F', '%FF'];

function pathParts(op: Operation, f: Fixtures): fc.Arbitrary<Part>[] {
  return op.params
    .filter((p) => p.in === 'path')
    .map((p) =>
      fc
        .oneof(
          fc.constantFrom(...RAW_PATH).map((raw) => ({ raw, shown: raw })),
          fc
            .oneof(
              fc.constantFrom(...INJECTION, ...UUID_LIKE),
              withNul,
              withSurrogate,
              repeated(300, 4000),
              fc.uuid(),
              fc.constantFrom(...wrongIds(f, pathId(op, p.name, f))),
              fc.constantFrom('../products', '../../api/products', 'a/b', '?x=1', '#x'),
              word.filter((w) => w.length > 0 && !UUID.test(w)),
            )
            .map((value) => ({ raw: pctEncode(value), shown: show(value) })),
        )
        .map(({ raw, shown }) =>
          part(`path ${p.name} = ${shown}`, (req) => ({
            ...req,
            pathParams: { ...req.pathParams, [p.name]: raw },
          })),
        ),
    );
}

const QUERY_NAMES = ['expand', '__proto__', 'constructor', 'limit[]', 'cursor[0]', 'LIMIT', 'Limit', 'sort'];
const CURSORS = () => {
  const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return [
    cursorOf(['2026-01-01T00:00:00.000Z', '------------------------------------']),
    cursorOf(['-271821-04-20T00:00:00.000Z', randomUUID()]),
    cursorOf(['+275760-09-13T00:00:00.000Z', randomUUID()]),
    cursorOf(['2026-02-30T00:00:00.000Z', randomUUID()]),
    cursorOf({ at: '2026-01-01T00:00:00.000Z', id: randomUUID() }),
    cursorOf(['2026-01-01T00:00:00.000Z', randomUUID(), 1]),
    cursorOf(["2026-01-01T00:00:00.000Z' OR 1=1 --", randomUUID()]),
    Buffer.from('[1e309,"2026-01-01T00:00:00.000Z"]').toString('base64url'),
    '%%%',
    '',
  ];
};

function queryParts(op: Operation, f: Fixtures): fc.Arbitrary<Part>[] {
  const documented = op.params.filter((p) => p.in === 'query');
  const names = new Set(documented.map((p) => p.name));
  const replace = (name: string, value: string) => (req: FuzzRequest) => ({
    ...req,
    query: [...req.query.filter(([k]) => k !== name), [name, value] as [string, string]],
  });
  const parts: fc.Arbitrary<Part>[] = [
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom(...QUERY_NAMES),
          word.filter((w) => w.length > 0),
        ),
        fc.oneof(word, fc.constantFrom(...INJECTION)),
      )
      .filter(([name]) => !names.has(name))
      .map(([name, value]) =>
        part(`unknown query ${show(name)}`, (req) => ({
          ...req,
          query: [...req.query, [name, value]],
        })),
      ),
    fc
      .constantFrom(...documented.map((p) => p.name), 'x')
      .chain((name) =>
        fc
          .constantFrom('%ZZ', '%', '%00', '%ED%A0%80', '%FF%FE', '%C0%AF')
          .map((bad) => part(`query ${name}=${bad}`, (req) => ({ ...req, rawQuery: `${name}=${bad}` }))),
      ),
  ];
  for (const p of documented) {
    const s = deref(p.schema ?? {});
    const values: fc.Arbitrary<string>[] = [
      withNul,
      withSurrogate,
      repeated(3000, 6000),
      fc.constantFrom(...INJECTION),
    ];
    if (s.type === 'number' || s.type === 'integer') {
      const max = s.maximum ?? Number.MAX_SAFE_INTEGER;
      const min = s.minimum ?? 1;
      values.push(
        fc.constantFrom(
          String(min - 1),
          '-1',
          String(max + 1),
          '1e309',
          '-1e309',
          '1.5',
          'abc',
          '',
          'NaN',
          'Infinity',
          '-0',
          '1,2',
          '9'.repeat(400),
        ),
        fc.integer({ min: max + 1 }).map(String),
        fc.integer({ max: min - 1 }).map(String),
      );
    } else {
      values.push(
        fc.constant(''),
        word.filter((w) => !/^[A-Z]{3}$/.test(w)),
        fc.constantFrom('jfk', 'JF', 'JFKX', 'J F', 'ＪＦＫ'),
        fc.constantFrom('2026-02-30', '2020-01-01', 'YYYY-MM-DD', '2026-1-1', '+275760-09-13', inDays(-1)),
      );
      if (p.name === 'cursor') {
        values.push(fc.constantFrom(...CURSORS()), fc.constant(f.cursor.slice(0, -4)));
      }
      if (p.name === 'check_out') values.push(fc.constantFrom(inDays(30), inDays(29), inDays(121)));
    }
    const refused = (v: string) => !(s.enum ?? []).includes(v) && !(s.format === 'uuid' && UUID.test(v));
    parts.push(
      fc
        .oneof(...values)
        .filter(refused)
        .map((v) => part(`query ${p.name}=${show(v)}`, replace(p.name, v))),
    );
    parts.push(
      fc.tuple(word, word).map(([a, b]) =>
        part(`query ${p.name} twice`, (req) => ({
          ...req,
          query: [...req.query, [p.name, a], [p.name, b]],
        })),
      ),
    );
    if (p.required) {
      parts.push(
        fc.constant(
          part(`query ${p.name} missing`, (req) => ({
            ...req,
            query: req.query.filter(([k]) => k !== p.name),
          })),
        ),
      );
    }
  }
  return parts;
}

const latin1 = fc.constantFrom('cl\u00e9', '\u00ff\u00fe', 'caf\u00e9-key', '\u00a0');

function headerParts(op: Operation, f: Fixtures): fc.Arbitrary<Part>[] {
  const parts: fc.Arbitrary<Part>[] = [];
  const idempotency = op.params.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
  if (idempotency) {
    parts.push(
      fc
        .oneof(fc.constant(''), repeated(256, 2000, 'k'), latin1, fc.constant('a\tb'))
        .map((v) => part(`Idempotency-Key ${show(v)}`, withHeader('Idempotency-Key', v))),
    );
    if (idempotency.required) {
      parts.push(fc.constant(part('Idempotency-Key missing', withHeader('Idempotency-Key', null))));
    }
  }
  if (op.role !== 'public') {
    parts.push(
      fc
        .oneof(
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            'Token abc',
            `Basic ${Buffer.from(`admin:${f.admin}`).toString('base64')}`,
            `Bearer ${f.admin} ${f.admin}`,
            `Bearer ${f.customer.key}x`,
            `Bearer ${f.admin.slice(0, -1)}`,
            `Bearer ${'k'.repeat(6000)}`,
            'Bearer \u00e9t\u00e9',
            `Bearer ${"' OR '1'='1"}`,
          ),
          word.map((w) => `Bearer x${w.replace(/\s/g, '')}`),
        )
        .map((v) => part(`Authorization ${show(v)}`, withHeader('Authorization', v))),
    );
  }
  if (op.webhook) {
    const now = Math.floor(Date.now() / 1000);
    const set =
      (name: 'id' | 'timestamp' | 'signature', value: string | null): Patch =>
      (req) => ({ ...req, webhook: { ...req.webhook, [name]: value } });
    parts.push(
      fc
        .oneof(fc.constant(''), fc.constant(null), repeated(256, 2000, 'w'))
        .map((v) => part(`webhook-id ${show(v)}`, set('id', v))),
      fc
        .oneof(
          fc.constantFrom('', 'abc', '1e3', '-1', '0', '9'.repeat(13), `${now}.5`, `0x${now.toString(16)}`),
          fc.integer({ min: 301, max: 10 ** 9 }).map((skew) => String(now - skew)),
          fc.integer({ min: 301, max: 10 ** 9 }).map((skew) => String(now + skew)),
          fc.constant(null),
        )
        .map((v) => part(`webhook-timestamp ${show(v)}`, set('timestamp', v))),
      fc
        .oneof(
          fc.constantFrom(
            '',
            'v1,',
            'v1',
            'v1,AAAA',
            `v1,${'A'.repeat(44)}`,
            'v1,' + 'x,'.repeat(2000),
            'v2,abc',
          ),
          fc.base64String({ minLength: 4, maxLength: 64 }).map((s) => `v1,${s}`),
          fc
            .array(fc.base64String({ minLength: 4, maxLength: 44 }), { minLength: 2, maxLength: 50 })
            .map((l) => l.map((s) => `v1,${s}`).join(' ')),
          fc.constant(null),
        )
        .map((v) => part(`webhook-signature ${show(v)}`, set('signature', v))),
    );
  }
  return parts;
}

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/octet-stream',
  'application/jsonx',
  'text/json',
  '*/*',
  'application/json, text/plain',
  'application/json; charset=ascii',
];

function malformedJson(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .integer({ min: 1, max: Math.max(1, valid.length - 1) })
      .map((n) => valid.slice(0, n))
      .filter(isBrokenJson),
    fc
      .constantFrom(
        `${valid}}`,
        `${valid},`,
        `${valid} x`,
        valid.replace(/"/g, "'"),
        valid.replace(/:/, ': NaN,"x":'),
        valid.replace(/}$/, ',}'),
        `/* c */${valid}`,
        valid.replace(/"/, '"\u0000'),
        valid.replace(/"/, '"\u0001'),
        valid.replace(/"/, '"\\x41'),
        valid.replace(/"/, '"\\u00'),
        '{,}',
        '{"a" 1}',
        ' ',
        '\u0000',
        'undefined',
        'Infinity',
      )
      .filter(isBrokenJson),
  );
}

function isBrokenJson(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

/** Bodies refused by the schema: one field hostile, missing or extra, or the whole body wrong. */
function bodyMutations(
  op: Operation,
  f: Fixtures,
  schema: Schema,
  base: Record<string, unknown>,
  prefix = '',
): fc.Arbitrary<{ body: unknown; note: string }>[] {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const mutations: fc.Arbitrary<{ body: unknown; note: string }>[] = [];
  for (const [name, propSchema] of Object.entries(properties)) {
    const field = `${prefix}${name}`;
    mutations.push(
      hostileValue(propSchema, required.has(name), name).map((v) => ({
        body: withField(base, name, v),
        note: `${field} = ${show(v)}`,
      })),
    );
    const nested = deref(propSchema);
    const value = base[name];
    // A webhook may name an order the service does not know yet (202, kept for later).
    if (nested.format === 'uuid' && !op.webhook) {
      mutations.push(
        fc.constantFrom(...wrongIds(f, value)).map((id) => ({
          body: withField(base, name, id),
          note: `${field} = ${id}, not one that fits`,
        })),
      );
    }
    if (nested.properties && isPlainObject(value)) {
      for (const inner of bodyMutations(op, f, nested, value as Record<string, unknown>, `${field}.`)) {
        mutations.push(inner.map(({ body, note }) => ({ body: withField(base, name, body), note })));
      }
    }
    if (required.has(name)) {
      mutations.push(fc.constant({ body: withField(base, name, undefined), note: `${field} missing` }));
    }
  }
  if (!op.webhook) {
    mutations.push(
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom(
              '__proto__',
              'constructor',
              'prototype',
              'id',
              'balance',
              'role',
              'status',
              'api_key',
            ),
            word.filter((w) => w.length > 0),
          ),
          fc.oneof(fc.jsonValue({ maxDepth: 2 }), deepValue),
        )
        .filter(([name]) => !(name in properties))
        .map(([name, v]) => ({ body: withField(base, name, v), note: `extra field ${show(name)}` })),
    );
  }
  return mutations;
}

function bodyParts(
  op: Operation,
  f: Fixtures,
  base: Record<string, unknown> | undefined,
): fc.Arbitrary<Part>[] {
  const setBody =
    (
      text: string,
      encoding: 'utf8' | 'latin1' = 'utf8',
      contentType: string | null = 'application/json',
    ): Patch =>
    (req) => ({ ...req, body: { text, encoding }, contentType });
  const whole: fc.Arbitrary<Part>[] = [
    deepValue.map((v) => part(`body nested ${v.json.length / 2} levels`, setBody(v.json))),
    fc
      .constantFrom('1', '"x"', 'null', 'true', '[]', '[{}]', '[[]]', '""', '-1e309')
      .map((text) => part(`body ${text}`, setBody(text))),
    malformedJson(base ? toJson(base) : '{"a":1}').map((text) =>
      part(`malformed JSON ${show(text)}`, setBody(text)),
    ),
    repeated(65_537, 80_000, ' ').map((pad) => part('body over 64 kB', setBody(`{"a":1${pad}}`))),
  ];
  if (!base) {
    // An operation without a body: anything but nothing (or `{}`) is refused.
    whole.push(
      fc
        .dictionary(
          word.filter((w) => w.length > 0),
          fc.jsonValue({ maxDepth: 2 }),
          { minKeys: 1, maxKeys: 4 },
        )
        .map((v) => part(`a body ${show(v)} where none is taken`, setBody(toJson(v)))),
      fc
        .constantFrom(...WRONG_CONTENT_TYPES)
        .map((ct) => part(`a ${ct} body where none is taken`, setBody('reason=x', 'utf8', ct))),
    );
    return whole;
  }
  const validText = toJson(base);
  whole.push(fc.constant(part('body is an array of the valid body', setBody(`[${validText}]`))));
  // Without a body every field is left out: refused where one is required (a refund takes none).
  const oneOf = EXACTLY_ONE_OF[op.id];
  if ((op.body?.required ?? []).length > 0 || oneOf) {
    whole.push(fc.constant(part('no body', (req) => ({ ...req, body: undefined, contentType: null }))));
  }
  if (oneOf) {
    whole.push(
      fc.constant(part('body {}: none of the fields it takes one of', setBody('{}'))),
      fc.constant(part(`both ${show(oneOf)} and the valid body`, setBody(toJson({ ...base, ...oneOf })))),
    );
  }
  whole.push(
    fc
      .oneof(fc.constantFrom(...WRONG_CONTENT_TYPES), fc.constant(null))
      .map((ct) => part(`valid body as ${ct ?? 'no content-type'}`, setBody(validText, 'utf8', ct))),
    fc
      .constantFrom('gzip', 'deflate', 'br', 'x-fuzz')
      .map((enc) =>
        part(`valid body with Content-Encoding: ${enc}`, (req) =>
          withHeader('Content-Encoding', enc)(setBody(validText)(req)),
        ),
      ),
  );
  // Bytes that are not UTF-8 in a field that only takes a UUID, a currency or an enum value.
  const strict = Object.entries(base).filter(([name]) => {
    const s = deref((op.body?.properties ?? {})[name] ?? {});
    return s.format === 'uuid' || s.pattern !== undefined || s.enum !== undefined || name === 'currency';
  });
  if (strict.length > 0) {
    whole.push(
      fc
        .tuple(
          fc.constantFrom(...strict.map(([name]) => name)),
          fc.constantFrom('\u00ff', '\u00c0\u00af', '\u00ed\u00a0\u0080'),
        )
        .map(([name, bytes]) => {
          const utf8 = Buffer.from(toJson(withField(base, name, `${String(base[name])}#`)), 'utf8').toString(
            'latin1',
          );
          return part(`${name} with bytes that are not UTF-8`, setBody(utf8.replace('#', bytes), 'latin1'));
        }),
    );
  }
  const fields = bodyMutations(op, f, op.body as Schema, base).map((arb) =>
    arb.map(({ body, note }) => part(note, setBody(toJson(body)))),
  );
  return [...whole, ...fields];
}

// ---------------------------------------------------------------------------------------------
// Sending, and what every answer must be

function baseRequest(op: Operation, f: Fixtures): { req: FuzzRequest; body?: Record<string, unknown> } {
  const pathParams: Record<string, string> = {};
  for (const p of op.params.filter((x) => x.in === 'path')) {
    const id = pathId(op, p.name, f);
    if (!id) throw new Error(`No fixture names the {${p.name}} of ${op.id}: add one to PATH_IDS`);
    pathParams[p.name] = id;
  }
  const query = op.params
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => [p.name, String(validValue(op, p.name, p.schema ?? {}, f))] as [string, string]);
  const headers: Record<string, string | null> = {};
  if (op.params.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) {
    headers['Idempotency-Key'] = randomUUID();
  }
  const body = op.body ? validBody(op, op.body, f) : undefined;
  const req: FuzzRequest = {
    op: op.id,
    auth: 'expected',
    pathParams,
    query,
    headers,
    body: body ? { text: toJson(body), encoding: 'utf8' } : undefined,
    contentType: body ? 'application/json' : undefined,
    webhook: op.webhook ? {} : undefined,
    hostile: [],
  };
  return { req, body };
}

/** Headers that change nothing about the outcome: junk request ids, odd Accept, proxies not trusted. */
const noise = fc.record(
  {
    'x-request-id': fc.oneof(
      word,
      repeated(129, 300, 'r'),
      latin1,
      fc.constant(''),
      fc.constantFrom(...INJECTION.slice(0, 14)),
    ),
    accept: fc.constantFrom('text/html', '*/*', 'application/xml', 'application/problem+json', ''),
    'x-forwarded-for': fc.constantFrom('127.0.0.1', '::1, 10.0.0.1', 'junk', '0.0.0.0'),
    'x-http-method-override': fc.constantFrom('DELETE', 'PUT', 'GET'),
    cookie: fc.constantFrom('session=x', '__proto__=1', 'a=%ZZ'),
  },
  { requiredKeys: [] },
);

function targeted(op: Operation, f: Fixtures): fc.Arbitrary<FuzzRequest> {
  const { req: base, body } = baseRequest(op, f);
  const parts = [
    ...pathParts(op, f),
    ...queryParts(op, f),
    ...headerParts(op, f),
    ...bodyParts(op, f, body),
    ...domainParts(op, f, body),
  ];
  return fc
    .record({
      parts: fc.array(fc.oneof(...parts), { minLength: 1, maxLength: 2 }),
      auth: fc.constantFrom<Auth>('expected', 'expected', 'admin', 'customer', 'none'),
      noise,
      publicAuth: fc.option(fc.constantFrom('Bearer junk', 'Basic Og==', `Bearer ${f.customer.key}`)),
    })
    .map(({ parts: chosen, auth, noise: extra, publicAuth }) => {
      let req: FuzzRequest = {
        ...base,
        auth,
        headers: { ...extra, ...base.headers },
        hostile: chosen.map((p) => p.note),
      };
      // A key on a route that needs none is ignored, whatever it is.
      if (op.role === 'public' && publicAuth) req.headers.Authorization = publicAuth;
      for (const p of chosen) req = p.apply(req);
      // A new key each time: a reused one would be refused for that alone.
      if (
        req.headers['Idempotency-Key'] === base.headers['Idempotency-Key'] &&
        base.headers['Idempotency-Key']
      ) {
        req.headers['Idempotency-Key'] = randomUUID();
      }
      return req;
    });
}

/** Query values at the edges of what is valid, for reads: they reach the database and the providers. */
function edgeValues(name: string, f: Fixtures): string[] {
  const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  switch (name) {
    case 'limit':
      return ['1', '100', '001', '1e2'];
    case 'cursor':
      return [
        cursorOf(['0001-01-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']),
        cursorOf(['9999-12-31T23:59:59.999Z', 'ffffffff-ffff-ffff-ffff-ffffffffffff']),
        cursorOf(['1970-01-01T00:00:00.000Z', f.productId]),
        f.cursor,
      ];
    case 'origin':
    case 'destination':
    case 'city':
      return ['AAA', 'ZZZ', 'JFK'];
    case 'departure_date':
    case 'check_in':
      return [inDays(0), '9999-12-01', '2096-02-29'];
    case 'check_out':
      return [inDays(90), '9999-12-31', inDays(31)];
    case 'adults':
      return ['1', '9', '09'];
    case 'guests':
      return ['1', '30'];
    case 'status':
      return ['succeeded', 'refund_required', 'partially_refunded', 'refunded'];
    case 'account_id':
      return [f.customer.id, '00000000-0000-0000-0000-000000000000'];
    default:
      return [];
  }
}

/** A read with every query parameter valid, some at their edges: any answer but a 5xx will do. */
function edges(op: Operation, f: Fixtures): fc.Arbitrary<FuzzRequest> | undefined {
  const params = op.params.filter((p) => p.in === 'query' && edgeValues(p.name, f).length > 0);
  if (op.mutating || params.length === 0) return undefined;
  const { req: base } = baseRequest(op, f);
  return fc
    .tuple(...params.map((p) => fc.option(fc.constantFrom(...edgeValues(p.name, f)))))
    .map((values) => {
      const chosen = new Map(
        params.map((p, i) => [p.name, values[i]] as const).filter(([, v]) => v !== null),
      );
      const kept = base.query.filter(([name]) => !chosen.has(name));
      return { ...base, query: [...kept, ...([...chosen] as Array<[string, string]>)] };
    });
}

function random(op: Operation): fc.Arbitrary<FuzzRequest> {
  const pathNames = op.params.filter((p) => p.in === 'path').map((p) => p.name);
  return fc
    .record({
      pathParams: fc.tuple(
        ...pathNames.map(() =>
          fc.oneof(fc.uuid(), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), withSurrogate),
        ),
      ),
      query: fc.array(
        fc.tuple(
          fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }),
          fc.string({ unit: 'binary', maxLength: 20 }),
        ),
        { maxLength: 4 },
      ),
      headers: fc.dictionary(
        fc.constantFrom(
          'Idempotency-Key',
          'Authorization',
          'x-request-id',
          'Content-Encoding',
          'webhook-id',
          'X-Fuzz',
        ),
        fc.oneof(word, latin1, fc.constant('')),
        { maxKeys: 3 },
      ),
      body: fc.option(
        fc.oneof(fc.jsonValue({ maxDepth: 4 }).map(toJson), fc.string({ unit: 'binary', maxLength: 200 })),
      ),
      contentType: fc.constantFrom('application/json', 'text/plain', null),
      auth: fc.constantFrom<Auth>('admin', 'customer', 'none'),
      signature: fc.option(fc.base64String({ maxLength: 44 })),
    })
    .map((r) => ({
      op: op.id,
      auth: r.auth,
      pathParams: Object.fromEntries(pathNames.map((name, i) => [name, pctEncode(r.pathParams[i])])),
      query: r.query,
      headers: r.headers,
      body: r.body === null ? undefined : { text: r.body, encoding: 'utf8' as const },
      contentType: r.body === null ? undefined : r.contentType,
      webhook: op.webhook ? { signature: r.signature === null ? undefined : `v1,${r.signature}` } : undefined,
      hostile: [],
    }));
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: { code?: unknown } | undefined;
  text: string;
}

async function send(
  t: TestApp,
  op: Operation,
  req: FuzzRequest,
  f: Fixtures,
  signer: WebhookSignature,
): Promise<Answer> {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => req.pathParams[name]);
  const query = req.rawQuery ?? req.query.map(([k, v]) => `${pctEncode(k)}=${pctEncode(v)}`).join('&');
  const url = query ? `${path}?${query}` : path;
  const test = (t.http() as unknown as Record<string, (url: string) => import('supertest').Test>)[op.method](
    url,
  );
  const key =
    req.auth === 'none'
      ? undefined
      : req.auth === 'admin'
        ? f.admin
        : req.auth === 'customer'
          ? f.customer.key
          : op.role === 'admin'
            ? f.admin
            : op.role === 'customer'
              ? f.customer.key
              : undefined;
  const headers: Record<string, string | null> = { ...(key ? bearer(key) : {}), ...req.headers };
  if (req.contentType !== undefined) headers['Content-Type'] = req.contentType;
  const bodyText = req.body?.text ?? '';
  if (req.webhook) {
    const id = req.webhook.id === undefined ? `msg_${randomUUID()}` : req.webhook.id;
    const now = Math.floor(Date.now() / 1000);
    const ts = req.webhook.timestamp === undefined ? String(now) : req.webhook.timestamp;
    const signedTs = ts !== null && /^\d{1,12}$/.test(ts) ? Number(ts) : now;
    headers['webhook-id'] = id;
    headers['webhook-timestamp'] = ts;
    headers['webhook-signature'] =
      req.webhook.signature === undefined ? signer.sign(id ?? '', signedTs, bodyText) : req.webhook.signature;
  }
  for (const [name, value] of Object.entries(headers)) if (value !== null) test.set(name, value);
  // The bytes as they are: superagent would otherwise serialize a Buffer by its Content-Type.
  if (req.body)
    test
      .serialize((bytes: Buffer) => bytes as unknown as string)
      .send(Buffer.from(req.body.text, req.body.encoding));
  const res = await test.buffer(true).parse((response, done) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
  });
  const text = res.body as string;
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers as Record<string, string>, body, text };
}

/** Why this answer breaks the contract, or null. */
function violation(answer: Answer, req: FuzzRequest, op: Operation): string | null {
  if (answer.status >= 500) return `a ${answer.status}`;
  if (!answer.headers['x-request-id']) return 'no x-request-id';
  if (answer.status >= 400) {
    if (!/^application\/problem\+json/.test(answer.headers['content-type'] ?? '')) {
      return `a ${answer.status} as ${answer.headers['content-type']}, not problem+json`;
    }
    if (typeof answer.body?.code !== 'string' || !KNOWN_CODES.has(answer.body.code)) {
      return `a ${answer.status} with code ${String(answer.body?.code)}, not one of API.md`;
    }
    return null;
  }
  if (req.hostile.length > 0) return `a ${answer.status} for a request with a hostile part`;
  if (op.mutating) return `a ${answer.status} for a random ${op.id}`;
  return null;
}

// ---------------------------------------------------------------------------------------------

describe('fuzz: every OpenAPI operation with hostile input', () => {
  let t: TestApp;
  let f: Fixtures;
  let signer: WebhookSignature;
  let before: unknown;
  const deadline = { at: 0 };
  const found: string[] = [];
  /** Answers by operation, status and code: FUZZ_REPORT=1 prints them, to see how deep requests got. */
  const seen = new Map<string, Map<string, number>>();

  /**
   * What no refused request may change: the fixtures' money (the customer's wallets and the other
   * account's, with their ledgers, held money and authorizations), stock, holds, orders, payments, refunds, transfers, bookings and key.
   */
  const snapshot = async () => {
    const db = t.app.get(DataSource);
    const one = async (sql: string, params: unknown[]) => (await db.query(sql, params)) as unknown[];
    const accounts = [f.customer.id, f.otherAccount];
    return {
      wallets: await one(
        `SELECT id, balance::text, held::text,
                (SELECT count(*)::int FROM wallet_transactions t WHERE t.wallet_id = w.id) AS entries
           FROM wallets w WHERE account_id = ANY($1) ORDER BY id`,
        [accounts],
      ),
      authorizations: await one(
        `SELECT id, status, captured_amount::text FROM authorizations WHERE account_id = ANY($1) ORDER BY id`,
        [accounts],
      ),
      products: await one(
        `SELECT id, total_stock, available_stock, reserved_stock, sold_stock, max_per_account
           FROM products WHERE id = ANY($1) ORDER BY id`,
        [[f.productId, f.limitedProductId]],
      ),
      holds: await one('SELECT id, status FROM holds WHERE account_id = $1 ORDER BY id', [f.customer.id]),
      orders: await one(
        `SELECT id, status, refunded_amount::text, payment_id FROM orders
          WHERE account_id = $1 ORDER BY id`,
        [f.customer.id],
      ),
      payments: await one(
        `SELECT p.id, p.status FROM payments p JOIN orders o ON o.id = p.order_id
          WHERE o.account_id = $1 ORDER BY p.id`,
        [f.customer.id],
      ),
      refunds: await one(
        `SELECT r.id, r.amount::text FROM refunds r JOIN orders o ON o.id = r.order_id
          WHERE o.account_id = $1 ORDER BY r.id`,
        [f.customer.id],
      ),
      transfers: await one(
        `SELECT t.id, t.amount::text FROM transfers t
           JOIN wallets w ON w.id IN (t.from_wallet_id, t.to_wallet_id)
          WHERE w.account_id = ANY($1) GROUP BY t.id ORDER BY t.id`,
        [accounts],
      ),
      bookings: await one('SELECT id, status FROM bookings WHERE account_id = $1 ORDER BY id', [
        f.customer.id,
      ]),
      key: await one('SELECT api_key_hash FROM accounts WHERE id = $1', [f.customer.id]),
    };
  };

  /** The payment of an order, as the admin's payment list shows it (other files make payments too). */
  const paymentOf = async (orderId: string, status: string): Promise<string> => {
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string; order_id: string }>; next_cursor: string | null } = (
        await t
          .http()
          .get('/api/admin/payments')
          .set(bearer(process.env.ADMIN_API_KEY as string))
          .query({ status, limit: 100, ...(cursor ? { cursor } : {}) })
          .expect(200)
      ).body;
      const match = page.data.find((p) => p.order_id === orderId);
      if (match) return match.id;
      cursor = page.next_cursor;
    } while (cursor);
    throw new Error(`No ${status} payment for order ${orderId}`);
  };

  /** A customer with the resources of {@link Fixtures}, each in the state its comment names. */
  const makeFixtures = async (): Promise<Fixtures> => {
    const admin = process.env.ADMIN_API_KEY as string;
    const customer = await createCustomer(t, 'Fuzz target');
    const wallet = async (currency: string) => {
      const res = await t
        .http()
        .post('/api/wallets')
        .set(bearer(customer.key))
        .send({ currency })
        .expect(201);
      await credit(t, res.body.id, 1_000_000);
      return res.body.id as string;
    };
    const usdWallet = await wallet('USD');
    const eurWallet = await wallet('EUR');
    const other = await customerWithWallet(t, 0);
    const product = await createProduct(t, 50);
    await createProduct(t, 1);
    const limitedProduct = await createProduct(t, 10, { max_per_account: 2 });
    const hold = async () => (await placeHold(t, customer.key, product.id, 2).expect(201)).body.id as string;
    const order = async (): Promise<Order> => {
      const body = (await createOrder(t, customer.key, await hold()).expect(201)).body;
      return { id: body.id, holdId: body.hold_id, amount: body.amount };
    };
    const paidOrder = await order();
    const paid = await pay(t, customer.key, paidOrder.id, usdWallet).expect(200);
    const transfer = await t
      .http()
      .post('/api/transfers')
      .set(bearer(customer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ from_wallet_id: usdWallet, to_wallet_id: other.walletId, amount: 100 })
      .expect(201);
    // Money owed back: the order was cancelled, then its payment succeeded at the provider.
    const orderToResolve = await order();
    await t.http().post(`/api/orders/${orderToResolve.id}/cancel`).set(bearer(customer.key)).expect(200);
    await sendWebhook(t, succeeded({ order_id: orderToResolve.id, amount: orderToResolve.amount })).expect(
      200,
    );
    const paymentToResolve = await paymentOf(orderToResolve.id, 'refund_required');
    const offerId = await flightOfferId(t);
    const booking = await bookFlight(t, customer.key, offerId, eurWallet).expect(202);
    // Settled before the snapshot: its confirmation is not a request of the run.
    const settled = await eventually(
      async () =>
        (await t.http().get(`/api/bookings/${booking.body.id}`).set(bearer(customer.key))).body.status,
      (status) => status !== 'pending',
      20_000,
    );
    expect(settled).toBe('confirmed');
    const timedOut = await bookFlight(t, customer.key, offerId, eurWallet, 'Timeout').expect(202);
    const parked = await eventually(
      async () =>
        (await t.http().get(`/api/bookings/${timedOut.body.id}`).set(bearer(customer.key))).body.status,
      (status) => status !== 'pending',
      20_000,
    );
    expect(parked).toBe('action_required');
    const page = await t.http().get('/api/products').query({ limit: 1 }).expect(200);
    const authorization = async () =>
      (await authorize(t, usdWallet, customer.key, { amount: 500 }).expect(201)).body.id as string;
    const endpoint = async () =>
      (
        await t
          .http()
          .post('/api/webhook-endpoints')
          .set(bearer(customer.key))
          .send({ url: 'https://hooks.fuzz.example/in', enabled_events: ['*'] })
          .expect(201)
      ).body as { id: string; created_at: string };
    const hooks = await endpoint();
    // An event of the customer's (about its endpoint), fanned out to a delivery as the relay does.
    await t.app.get(UnitOfWork).run(async (em) =>
      t.app.get(EventRecorder).record(em, [
        {
          type: 'webhook_endpoint.disabled',
          accountId: customer.id,
          resourceId: hooks.id,
          resource: {
            id: hooks.id,
            accountId: customer.id,
            url: 'https://hooks.fuzz.example/in',
            enabledEvents: ['*'],
            description: null,
            status: 'disabled',
            failingSince: null,
            createdAt: new Date(hooks.created_at),
            updatedAt: new Date(hooks.created_at),
          },
        },
      ]),
    );
    await t.app.get(RelayEventsService).relay();
    const [event] = (await t.http().get('/api/events').set(bearer(customer.key)).expect(200)).body.data;
    const [delivery] = (
      await t
        .http()
        .get(`/api/webhook-endpoints/${hooks.id}/deliveries`)
        .set(bearer(customer.key))
        .expect(200)
    ).body.data;
    return {
      admin,
      customer,
      usdWallet,
      eurWallet,
      otherAccount: other.customer.id,
      otherWallet: other.walletId,
      productId: product.id,
      limitedProductId: limitedProduct.id,
      holdToRelease: await hold(),
      holdToOrder: await hold(),
      orderToCancel: await order(),
      orderToPay: await order(),
      orderForWebhook: await order(),
      paidOrder: paidOrder.id,
      paidPayment: paid.body.payment.id,
      orderToResolve,
      paymentToResolve,
      transferId: transfer.body.id,
      bookingId: booking.body.id,
      bookingToResolve: timedOut.body.id,
      authorizationToRead: await authorization(),
      authorizationToCapture: await authorization(),
      authorizationToVoid: await authorization(),
      offerId,
      cursor: page.body.next_cursor,
      eventId: event.id,
      endpointId: hooks.id,
      deliveryId: delivery.id,
      endpointToDelete: (await endpoint()).id,
    };
  };

  beforeAll(async () => {
    // Nothing may expire under the run: an expiry would move stock that no request moved.
    // Webhook endpoint hosts resolve to a public address without asking DNS, and no worker attempts
    // deliveries: the run sends nothing out of this machine.
    t = await createTestApp({
      config: { HOLD_TTL_SECONDS: 3600, ORDER_PAYMENT_TTL_SECONDS: 3600 },
      overrides: [
        [HOST_RESOLVER, { resolve: async () => ['93.184.215.14'] }],
        [WebhookDeliveryProcessor, {}],
      ],
    });
    signer = new WebhookSignature(process.env.WEBHOOK_SECRET as string);
    f = await makeFixtures();
    before = await snapshot();
    deadline.at = Date.now() + BUDGET_MS;
  });

  afterAll(async () => {
    if (found.length > 0) console.warn(`fuzz findings (seed ${SEED}):\n${found.join('\n')}`);
    if (process.env.FUZZ_REPORT) {
      const lines = [...seen].map(
        ([id, tally]) => `${id}: ${[...tally].map(([o, n]) => `${o} ×${n}`).join(', ')}`,
      );
      console.log(`fuzz answers (seed ${SEED}):\n${lines.join('\n')}`);
    }
    await t?.close();
  });

  it('reads every operation of openapi.json', () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) {
      const named = !!(PATH_IDS[op.id] ?? PATH_IDS[op.path]);
      if (op.params.some((p) => p.in === 'path')) expect([op.id, named]).toEqual([op.id, true]);
    }
  });

  operations.forEach((op, index) => {
    it(`${op.id}: no 5xx, problem+json with a known code, hostile parts refused`, async () => {
      const left = operations.length - index;
      const slice = Math.max(500, (deadline.at - Date.now()) / left);
      const seed = (SEED + index * 7919) | 0;
      const request = fc.oneof(
        { weight: 4, arbitrary: targeted(op, f) },
        { weight: 1, arbitrary: random(op) },
        ...[edges(op, f)].filter((a) => a !== undefined).map((arbitrary) => ({ weight: 1, arbitrary })),
      );
      // Up to three at once, so that refusals also meet in the batches of one wallet or product.
      const property = fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 3 }), async (reqs) => {
        const answers = await Promise.all(reqs.map((req) => send(t, op, req, f, signer)));
        reqs.forEach((req, i) => {
          const answer = answers[i];
          const tally = seen.get(op.id) ?? new Map<string, number>();
          const outcome = `${answer.status} ${String(answer.body?.code ?? '')}`.trim();
          seen.set(op.id, tally.set(outcome, (tally.get(outcome) ?? 0) + 1));
          const problem = violation(answer, req, op);
          if (problem) {
            found.push(`${op.id}: ${problem}: ${req.hostile.join('; ') || 'random'}`);
            const replay = `FUZZ_SEED=${SEED} npx jest test/fuzz -t '${op.id}:'`;
            throw new Error(`${problem} (replay: ${replay})\n${answer.text.slice(0, 500)}`);
          }
        });
      });
      const details = await fc.check(property, { seed, numRuns: RUNS, interruptAfterTimeLimit: slice });
      if (details.failed) throw new Error(fc.defaultReportMessage(details));
      if (details.numRuns < MIN_RUNS) {
        throw new Error(
          `${op.id}: ${details.numRuns} runs in its ${Math.round(slice)} ms of FUZZ_BUDGET_MS, fewer than ` +
            `the minimum of ${MIN_RUNS} (FUZZ_MIN_RUNS): raise FUZZ_BUDGET_MS or run on a quieter machine`,
        );
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  it('a method a path does not document is a 4xx problem, whatever the key', async () => {
    const methods = ['get', 'put', 'post', 'patch', 'delete', 'options'];
    const answers: Array<[string, string | null]> = [];
    for (const path of Object.keys(doc.paths)) {
      const op = operations.find((o) => o.path === path) as Operation;
      for (const method of methods.filter((m) => !doc.paths[path][m])) {
        for (const auth of ['admin', 'customer', 'none'] as const) {
          const other = { ...op, id: `${method.toUpperCase()} ${path}`, method, mutating: true };
          const req = {
            ...baseRequest(op, f).req,
            op: other.id,
            auth,
            hostile: [`${method} is not documented`],
          };
          const answer = await send(t, other, req, f, signer);
          answers.push([`${other.id} (${auth})`, violation(answer, req, other)]);
        }
      }
    }
    expect(answers.length).toBeGreaterThan(50);
    expect(answers.filter(([, problem]) => problem !== null)).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  // Each refused request above was its operation's valid request with one part made hostile, and
  // here is that request succeeding. On fixtures of its own, so that it may run before, after or
  // without the others; in this order, because the key is replaced last.
  it('the valid request of every operation, without its hostile part, succeeds', async () => {
    const fresh = await makeFixtures();
    const last = 'POST /api/accounts/{id}/api-keys';
    const ordered = [
      ...operations.filter((op) => op.id !== last),
      ...operations.filter((op) => op.id === last),
    ];
    const answers: Array<[string, number, unknown]> = [];
    for (const op of ordered) {
      const answer = await send(t, op, baseRequest(op, fresh).req, fresh, signer);
      answers.push([
        op.id,
        answer.status < 300 ? 200 : answer.status,
        answer.status < 300 ? null : answer.body,
      ]);
    }
    expect(answers).toEqual(ordered.map((op) => [op.id, 200, null]));
  });
});
