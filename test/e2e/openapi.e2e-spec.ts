import { spawnSync } from 'child_process';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { AppConfig } from '../../src/config/app-config';
import { STATUS_BY_CODE } from '../../src/shared/http/problem-details';
import { buildOpenApiDocument } from '../../src/shared/http/swagger';
import { createTestApp, type TestApp } from '../support/test-app';

/** The contract as clients see it, committed so that every change of the API shows in review. */
const COMMITTED = join(__dirname, '..', '..', 'openapi.json');

/** What a date example is committed as (a valid date, so that linters check the examples). */
const FIXED_DATE_EXAMPLE = '2099-12-24';

type Doc = ReturnType<typeof buildOpenApiDocument>;
interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  maxLength?: number;
  example?: unknown;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
}
interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; example?: unknown; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

/** Strings of a request schema with no bound on their length (ids and dates are bounded by their format). */
function unboundedStrings(doc: Doc, schema: Schema, at: string, found: string[]): void {
  const resolved = schema.$ref
    ? ((doc.components?.schemas ?? {})[schema.$ref.split('/').pop() as string] as Schema)
    : schema;
  if (resolved.type === 'string' && resolved.maxLength === undefined && !resolved.format && !resolved.enum) {
    found.push(at);
  }
  for (const [name, property] of Object.entries(resolved.properties ?? {})) {
    unboundedStrings(doc, property, `${at}.${name}`, found);
  }
  if (resolved.items) unboundedStrings(doc, resolved.items, `${at}[]`, found);
  for (const part of [...(resolved.allOf ?? []), ...(resolved.oneOf ?? [])])
    unboundedStrings(doc, part, at, found);
}

/** Headers a client sends that the service stores (the others, signature and timestamp, are only verified). */
const STORED_HEADERS = new Set(['idempotency-key', 'webhook-id']);

function operations(doc: Doc): Array<[string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, op]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      op,
    ]),
  );
}

function numberProperties(schema: Record<string, unknown>, at: string, found: string[]): void {
  if (schema.type === 'number') found.push(at);
  for (const [name, property] of Object.entries(
    (schema.properties ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    numberProperties(property, `${at}.${name}`, found);
  }
}

describe('the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: Doc;

  beforeAll(async () => {
    t = await createTestApp();
    // Documented with the default settings, as a fresh deployment documents itself. Date examples are
    // computed from today so that they stay in the future: committed as one fixed date of the same format.
    doc = JSON.parse(JSON.stringify(buildOpenApiDocument(t.app, new AppConfig())), (key, value) =>
      key === 'example' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? FIXED_DATE_EXAMPLE
        : value,
    );
  });
  afterAll(() => t.close());

  it('matches the committed openapi.json (npm run openapi regenerates it)', () => {
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED, `${JSON.stringify(doc, null, 2)}\n`);
    // A missing file is not written here: the test would then compare the document with itself.
    if (!existsSync(COMMITTED)) {
      throw new Error('openapi.json is missing: run `npm run openapi` and commit the file it writes');
    }
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(doc);
  });

  it('declares every error as application/problem+json and every number as an integer', () => {
    const wrong = operations(doc).flatMap(([name, op]) =>
      Object.entries(op.responses)
        .filter(([status, r]) => Number(status) >= 400 && r.content && !r.content['application/problem+json'])
        .map(([status]) => `${name} ${status}`),
    );
    expect(wrong).toEqual([]);
    const numbers: string[] = [];
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      numberProperties(schema as Record<string, unknown>, name, numbers);
    }
    expect(numbers).toEqual([]);
  });

  it('documents one Idempotency-Key field per operation, with no shared example, and the answer headers', () => {
    for (const [name, op] of operations(doc)) {
      const keys = (op.parameters ?? []).filter((p) => p.name.toLowerCase() === 'idempotency-key');
      expect({ name, fields: keys.length }).toEqual({ name, fields: keys.length > 0 ? 1 : 0 });
      for (const key of keys) expect(key.example ?? key.schema?.example).toBeUndefined();
      for (const response of Object.values(op.responses))
        expect(response.headers).toHaveProperty('x-request-id');
      if (keys.length > 0) {
        const success = Object.entries(op.responses).find(([status]) => Number(status) < 300);
        expect(success?.[1].headers).toHaveProperty('idempotent-replayed');
      }
    }
    const debit = doc.paths['/api/wallets/{id}/debit'].post as unknown as Operation;
    expect(debit.responses['503'].headers).toHaveProperty('Retry-After');
    expect(debit.responses['429'].headers).toHaveProperty('Retry-After');
    expect(debit.responses['201'].headers).toHaveProperty('RateLimit');
    expect(debit.responses['201'].headers).toHaveProperty('RateLimit-Policy');
    // Forged webhooks are limited; /health never is.
    const webhook = doc.paths['/api/payments/webhook'].post as unknown as Operation;
    expect(webhook.responses['429'].headers).toHaveProperty('Retry-After');
    const health = doc.paths['/health'].get as unknown as Operation;
    expect(health.responses['429']).toBeUndefined();
  });

  it('states the security of every operation, `security: []` for the public ones', () => {
    const unstated = operations(doc).filter(([, op]) => !Array.isArray(op.security));
    expect(unstated.map(([name]) => name)).toEqual([]);
    const publicOnes = operations(doc)
      .filter(([, op]) => op.security?.length === 0)
      .map(([name]) => name)
      .sort();
    expect(publicOnes).toEqual([
      'GET /api/flights/offers',
      'GET /api/hotels/offers',
      'GET /api/products',
      'GET /api/products/{id}',
      'GET /api/provider-demo',
      'GET /health',
      'POST /api/payments/webhook',
    ]);
    // Public unless METRICS_TOKEN is set: either requirement.
    expect(doc.paths['/metrics'].get?.security).toEqual(expect.arrayContaining([{}, { metrics_token: [] }]));
  });

  it('names a server, a license, and ids, lengths and integers as the code checks them', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.info.license?.name).toBeTruthy();
    const notUuid: string[] = [];
    const unbounded: string[] = [];
    const fractional: string[] = [];
    for (const [name, op] of operations(doc)) {
      for (const p of op.parameters ?? []) {
        if (p.in === 'path' && p.schema?.format !== 'uuid') notUuid.push(`${name} ${p.name}`);
        if (p.schema?.type === 'number') fractional.push(`${name} ${p.name}`);
        if (p.in !== 'header' || STORED_HEADERS.has(p.name.toLowerCase())) {
          unboundedStrings(doc, p.schema ?? {}, `${name} ${p.in}:${p.name}`, unbounded);
        }
      }
      for (const media of Object.values(op.requestBody?.content ?? {})) {
        unboundedStrings(doc, media.schema, `${name} body`, unbounded);
      }
    }
    expect(notUuid).toEqual([]);
    expect(unbounded).toEqual([]);
    expect(fractional).toEqual([]);
    const query = (path: string, name: string) =>
      (doc.paths[path].get as unknown as Operation).parameters?.find((p) => p.name === name)?.schema;
    expect(query('/api/products', 'cursor')).toMatchObject({ maxLength: 512 });
    expect(query('/api/products', 'limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(query('/api/flights/offers', 'adults')).toMatchObject({ type: 'integer' });
    expect(query('/api/hotels/offers', 'guests')).toMatchObject({ type: 'integer' });
  });

  it("declares null where the answers carry it, and the HTTP layer's answers on every operation", () => {
    const order = doc.components?.schemas?.OrderResponse as Schema;
    expect(order.properties?.payment).toEqual({
      oneOf: [
        { $ref: '#/components/schemas/OrderPaymentResponse' },
        { type: 'object', nullable: true, enum: [null] },
      ],
    });
    for (const [name, op] of operations(doc)) {
      const statuses = Object.keys(op.responses);
      const expected = name.startsWith('GET ') ? ['400', '408', '503'] : ['400', '408', '413', '415', '503'];
      expect({ name, statuses }).toEqual({ name, statuses: expect.arrayContaining(expected) });
    }
    expect(Object.keys((doc.paths['/health'].get as unknown as Operation).responses).sort()).toEqual([
      '200',
      '400',
      '408',
      '503',
    ]);
  });

  it("gives every created resource its Location, where the resource's GET answers", () => {
    const created = operations(doc).filter(([, op]) => op.responses['201']);
    const located = created
      .filter(([, op]) => op.responses['201'].headers?.Location)
      .map(([name]) => name)
      .sort();
    expect(located).toEqual([
      'POST /api/holds',
      'POST /api/orders',
      'POST /api/products',
      'POST /api/transfers',
      'POST /api/wallets',
      'POST /api/wallets/{id}/authorizations',
      'POST /api/webhook-endpoints',
    ]);
    // The GET of what was created answers with what the creation answered (but a secret shown once).
    const schemaOf = (op: { responses: Record<string, unknown> } | undefined, status: string) =>
      (op?.responses[status] as { content?: Record<string, { schema: unknown }> } | undefined)?.content?.[
        'application/json'
      ]?.schema;
    // Where the Location points, as its description names it (`/api/authorizations/{id}`).
    const locationOf = (name: string) => {
      const header = doc.paths[name.slice(5)].post?.responses['201'] as {
        headers: Record<string, { description: string }>;
      };
      return /`([^`]+)`/.exec(header.headers.Location.description)?.[1] ?? '';
    };
    expect(located.map(locationOf)).toEqual([
      '/api/holds/{id}',
      '/api/orders/{id}',
      '/api/products/{id}',
      '/api/transfers/{id}',
      '/api/wallets/{id}',
      '/api/authorizations/{id}',
      '/api/webhook-endpoints/{id}',
    ]);
    const withSecret = ['POST /api/webhook-endpoints'];
    const same = located.filter((name) => !withSecret.includes(name));
    expect(same.map((name) => schemaOf(doc.paths[locationOf(name)]?.get, '200'))).toEqual(
      same.map((name) => schemaOf(doc.paths[name.slice(5)].post, '201')),
    );
    const propertiesOf = (schema: unknown): string[] => {
      const name = String((schema as { $ref?: string }).$ref)
        .split('/')
        .pop() as string;
      const resolved = doc.components?.schemas?.[name] as {
        properties?: object;
        allOf?: Array<{ $ref?: string; properties?: object }>;
      };
      return Object.keys(resolved.properties ?? {})
        .concat(
          ...(resolved.allOf ?? []).map((part) =>
            part.$ref ? propertiesOf(part) : Object.keys(part.properties ?? {}),
          ),
        )
        .sort();
    };
    for (const name of withSecret) {
      expect(propertiesOf(schemaOf(doc.paths[name.slice(5)].post, '201'))).toEqual(
        [...propertiesOf(schemaOf(doc.paths[`${name.slice(5)}/{id}`]?.get, '200')), 'secret'].sort(),
      );
    }
    // No GET of one account, one ledger entry or one key exists to point at.
    expect(
      created
        .filter(([name]) => !located.includes(name))
        .map(([name]) => name)
        .sort(),
    ).toEqual([
      'POST /api/accounts',
      'POST /api/accounts/{id}/api-keys',
      'POST /api/wallets/{id}/credit',
      'POST /api/wallets/{id}/debit',
    ]);
  });

  it('describes idempotency and the rate limit as the service behaves', async () => {
    const text = doc.info.description ?? '';
    // Every operation that requires the key is named in the description, money movers all.
    const required = operations(doc)
      .filter(([, op]) => op.parameters?.some((p) => p.name === 'Idempotency-Key' && p.required))
      .map(([name]) => name)
      .sort();
    expect(required).toEqual(
      expect.arrayContaining([
        'POST /api/admin/payments/{id}/resolve',
        'POST /api/bookings',
        'POST /api/orders/{id}/pay',
        'POST /api/orders/{id}/refund',
        'POST /api/transfers',
        'POST /api/wallets/{id}/credit',
        'POST /api/wallets/{id}/debit',
      ]),
    );
    for (const name of required) expect(text).toContain(`\`${name}\``);
    expect(text).toMatch(/waits for it and\s+replays its answer; past 3000 ms/);
    const off = buildOpenApiDocument(t.app, Object.assign(new AppConfig(), { RATE_LIMIT_PER_MINUTE: 0 }));
    expect(off.info.description).not.toMatch(/no requests per minute/);
    expect(off.info.description).toContain('**Rate limit**: off in this deployment');
  });

  it('passes Redocly lint with its recommended rules: no error, no warning', () => {
    const cli = join(__dirname, '..', '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const run = spawnSync(process.execPath, [cli, 'lint', COMMITTED, '--format=json'], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; message: string }>;
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('gives each error response examples of its own status and codes, and examples that work together', () => {
    const wrong: string[] = [];
    for (const [name, op] of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || !response.content) continue;
        const media = response.content['application/problem+json'] as {
          examples?: Record<string, { value: { status: number; code: string } }>;
        };
        const examples = Object.values(media.examples ?? {});
        if (examples.length === 0) wrong.push(`${name} ${status}: no example`);
        for (const { value } of examples)
          if (value.status !== Number(status) || STATUS_BY_CODE[value.code] !== Number(status))
            wrong.push(`${name} ${status}: ${value.code} (${value.status})`);
      }
    }
    expect(wrong).toEqual([]);
    const pay = doc.paths['/api/orders/{id}/pay'].post as unknown as Operation;
    const examplesOf = (status: string) =>
      Object.keys(
        (pay.responses[status].content?.['application/problem+json'] as { examples: object }).examples,
      );
    expect(examplesOf('401')).toEqual(['unauthorized']);
    expect(examplesOf('422')).toEqual([
      'insufficient_funds',
      'currency_mismatch',
      'amount_exceeds_authorization',
      'idempotency_key_reused',
    ]);

    // The first purchase as the examples show it: the credit covers the product's price.
    const schemas = doc.components?.schemas as Record<
      string,
      { properties: Record<string, { example?: unknown }> }
    >;
    expect(schemas.MoveMoneyRequest.properties.amount.example).toBeGreaterThanOrEqual(
      schemas.CreateProductRequest.properties.price.example as number,
    );
    const transfer = schemas.CreateTransferRequest.properties;
    expect(transfer.from_wallet_id.example).not.toEqual(transfer.to_wallet_id.example);
    const refund = doc.paths['/api/orders/{id}/refund'].post as unknown as {
      requestBody: { content: { 'application/json': { examples: Record<string, { value: object }> } } };
    };
    // Swagger UI preselects the first example: a partial refund, which leaves the rest to refund.
    expect(Object.values(refund.requestBody.content['application/json'].examples)[0].value).toMatchObject({
      amount: expect.any(Number),
    });
  });

  it('names opaque bearer keys, not JWTs, and orders tags as a newcomer meets them', () => {
    expect(doc.components?.securitySchemes?.bearer).toEqual(
      expect.not.objectContaining({ bearerFormat: expect.anything() }),
    );
    expect(doc.tags?.map((tag) => tag.name)).toEqual([
      'accounts',
      'wallets',
      'products',
      'holds',
      'orders',
      'payments',
      'travel',
      'events',
      'webhooks',
      'operations',
    ]);
    for (const tag of doc.tags ?? []) expect(tag.description).toBeTruthy();
  });
});
