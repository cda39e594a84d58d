import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { STATUS_BY_CODE } from '../../src/shared/http/problem-details';
import { buildOpenApiDocument } from '../../src/shared/http/swagger';
import { createTestApp, type TestApp } from '../support/test-app';

/** The contract as clients see it, committed so that every change of the API shows in review. */
const COMMITTED = join(__dirname, '..', '..', 'openapi.json');

type Doc = ReturnType<typeof buildOpenApiDocument>;
interface Operation {
  parameters?: Array<{ name: string; in: string; example?: unknown; schema?: { example?: unknown } }>;
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

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
    // Generated with the default settings, as a fresh deployment documents itself.
    t = await createTestApp({ config: { RATE_LIMIT_PER_MINUTE: 600, IDEMPOTENCY_TTL_SECONDS: 86400 } });
    // Date examples are computed from today so that they stay in the future: compared as placeholders.
    doc = JSON.parse(JSON.stringify(buildOpenApiDocument(t.app, t.config)), (key, value) =>
      key === 'example' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? 'YYYY-MM-DD'
        : value,
    );
  });
  afterAll(() => t.close());

  it('matches the committed openapi.json (npm run openapi regenerates it)', () => {
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1' || !existsSync(COMMITTED)) writeFileSync(COMMITTED, text);
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
    const webhook = doc.paths['/api/payments/webhook'].post as unknown as Operation;
    expect(webhook.responses['429']).toBeUndefined();
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
    expect(examplesOf('422')).toEqual(['insufficient_funds', 'currency_mismatch', 'idempotency_key_reused']);

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
      'operations',
    ]);
    for (const tag of doc.tags ?? []) expect(tag.description).toBeTruthy();
  });
});
