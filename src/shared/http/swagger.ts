import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../../config/app-config';
import { CODE_BY_STATUS, ProblemDetails } from './problem-details';
import { problemExamples } from './problem-examples';

export function buildOpenApiDocument(app: INestApplication, config: AppConfig) {
  const hours = Math.round((config.IDEMPOTENCY_TTL_SECONDS / 3600) * 10) / 10;
  const description = [
    '### A first purchase, with the examples as shown',
    '',
    'Every example body below works as it is: type only the ids it asks for, and a new `Idempotency-Key`',
    'where there is one. To switch keys: **Authorize → Logout → paste the other key → Authorize → Close**.',
    '',
    '1. **Authorize** with the admin key (`npm start` prints it). `POST /api/accounts` creates a customer:',
    '   copy its `api_key`, shown only once.',
    '2. `POST /api/products`: a product at 19.99 USD; copy its `id`.',
    "3. Switch to the customer's key. `POST /api/wallets`: a USD wallet; copy its `id`.",
    '4. Switch to the admin key. `POST /api/wallets/{id}/credit` with the wallet id: 50.00 USD.',
    "5. Switch to the customer's key. `POST /api/holds` with the product id, `POST /api/orders` with the hold",
    '   id, then `POST /api/orders/{id}/pay` with the order id and the wallet id: the order is `paid`.',
    '6. With the admin key, `POST /api/orders/{id}/refund` gives 10.00 back: the order is `partially_refunded`.',
    '',
    'To watch the guarantees under races, open the [demo page](/demo/) (`npm run seed` prints a link that',
    'opens it with a funded customer).',
    '',
    '### Reference',
    '',
    'Wallets with a ledger, flash-sale inventory with expiring holds, orders, payments and travel bookings.',
    '',
    '**Authentication**: `Authorization: Bearer <api key>`. The admin key comes from `ADMIN_API_KEY`; the admin',
    'creates customer accounts with `POST /api/accounts`, whose answer shows the customer key once.',
    'A resource that belongs to another account answers 404, exactly as one that does not exist.',
    '',
    '**Money** is an integer number of minor units (`1999` = 19.99) with an ISO 4217 currency code.',
    '',
    '**Errors** are RFC 9457 `application/problem+json` with a stable `code` and, on validation failures,',
    '`errors: [{ field, message }]`. Each error response below shows an example of each of its codes.',
    '',
    '**Idempotency**: send `Idempotency-Key` (1..255 printable ASCII characters) on POSTs. It is required on wallet',
    'credit and debit, transfers, order pay and refund, and bookings, and optional on every other POST. Keys are',
    `scoped to the calling account and kept for ${config.IDEMPOTENCY_TTL_SECONDS} seconds (${hours} h): a retry with`,
    'the same key and the same request gets the first answer again, with the header `idempotent-replayed: true`.',
    'A replayed refusal also says so in its body: `"replayed": true` and `original_request_id` (the first',
    "request's `request_id`), because it tells what happened then, not the state now: after a top-up, retry a",
    'refused payment with a **new** key. The same key with a different request is a 422 `idempotency_key_reused`;',
    'while the first is still running, a 409 `idempotency_key_in_use` with `Retry-After`. A 5xx answer releases',
    'the key so that the request can be retried safely.',
    '',
    '**Limits**: a request is a 400 `validation_failed` when it carries text with NUL characters or unpaired',
    'surrogates, nesting deeper than 32 levels, unknown fields (webhook bodies excepted) or query parameters, or',
    'a cursor this API did not issue; bodies are UTF-8 JSON of at most 64 kB, uncompressed (else 413 or 415);',
    'a request not received whole within the request timeout is cut (408). Rate limit:',
    `${config.RATE_LIMIT_PER_MINUTE || 'no'} requests per minute per API key across all routes, and per client IP`,
    'for requests without a valid key; over it, 429 `rate_limited` with `Retry-After` (`RateLimit-Policy` and',
    '`RateLimit` headers on every counted answer). Signed webhooks and `/health` are not counted;',
    '`X-Forwarded-For` is believed only from `TRUST_PROXY` addresses.',
  ].join('\n');
  const builder = new DocumentBuilder()
    .setTitle('Checkout and wallet service')
    .setDescription(description)
    .setVersion('1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'An API key: the admin key or a customer key',
      // Opaque keys, not JWTs (the builder's default format).
      bearerFormat: undefined,
    })
    .build();
  return polish(SwaggerModule.createDocument(app, builder, { extraModels: [ProblemDetails] }));
}

// The parts of the OpenAPI document polish() walks.
interface SchemaObject {
  type?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}
interface OperationObject {
  parameters?: Array<{ name?: string }>;
  responses?: Record<string, ResponseObject>;
}

/** Tags in the order a newcomer meets them, each saying what it is for. */
const TAGS: Array<{ name: string; description: string }> = [
  { name: 'accounts', description: 'Customer accounts and their API keys (the admin creates them)' },
  {
    name: 'wallets',
    description: 'Balances in minor units and their ledger: credit (admin), debit, history',
  },
  { name: 'products', description: 'Flash-sale products and their stock split (reads are public)' },
  { name: 'holds', description: 'Temporary reservations of units, released or expired back to stock' },
  { name: 'orders', description: 'Orders made from holds, exactly one per hold, cancelled when unpaid' },
  { name: 'payments', description: 'Paying orders from wallets, signed payment webhooks, refunds' },
  { name: 'travel', description: 'Flight and hotel offers from the provider adapters, wallet-paid bookings' },
  { name: 'operations', description: 'Health, metrics and reconciliation' },
];

const HEADER = (description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  description,
  schema,
});

/**
 * What decorators cannot say once for every operation: errors are problem documents, every number of
 * this API is an integer (money in minor units, stock, quantities), and which headers answers carry.
 */
function polish(document: OpenAPIObject): OpenAPIObject {
  document.tags = TAGS;
  for (const schema of Object.values(document.components?.schemas ?? {}))
    integersOnly(schema as SchemaObject);
  for (const [path, item] of Object.entries(document.paths)) {
    // Signed webhooks and the health probe are not rate limited (API.md, Rate limits).
    const limited = path !== '/api/payments/webhook' && path !== '/health';
    for (const operation of Object.values(item) as unknown as OperationObject[]) {
      if (!operation?.responses) continue;
      if (limited) {
        operation.responses['429'] ??= {
          description: '`rate_limited`: over RATE_LIMIT_PER_MINUTE; retry after `Retry-After` seconds',
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } },
          },
        };
      }
      const idempotent = (operation.parameters ?? []).some(
        (p) => 'name' in p && p.name === 'Idempotency-Key',
      );
      for (const [status, response] of Object.entries(operation.responses) as Array<
        [string, ResponseObject]
      >) {
        const code = Number(status);
        response.headers = {
          'x-request-id': HEADER('The request id, echoed from the request when it sent one'),
        };
        if (code >= 400 && response.content?.['application/json']) {
          response.content = { 'application/problem+json': response.content['application/json'] };
        }
        const problem = code >= 400 ? response.content?.['application/problem+json'] : undefined;
        if (problem && response.content) {
          const fallback = CODE_BY_STATUS[code] ?? (code >= 500 ? 'internal_error' : 'validation_failed');
          response.content['application/problem+json'] = {
            ...problem,
            examples: problemExamples(code, response.description ?? '', fallback),
          };
        }
        if (limited) {
          response.headers['RateLimit-Policy'] = HEADER(
            'The limit and its window, e.g. `600;w=60` (IETF httpapi draft)',
          );
          response.headers['RateLimit'] = HEADER(
            'What is left of the limit in the current window (IETF httpapi draft)',
          );
        }
        if (code === 409 || code === 429 || code === 503) {
          response.headers['Retry-After'] = HEADER('Seconds to wait before retrying', { type: 'integer' });
        }
        if (idempotent && (code < 300 || (code >= 400 && code < 500))) {
          response.headers['idempotent-replayed'] = HEADER(
            '`true` when this is the stored answer of an earlier request with the same Idempotency-Key',
            { type: 'string', enum: ['true'] },
          );
        }
      }
    }
  }
  return document;
}

function integersOnly(schema: SchemaObject): void {
  if (schema.type === 'number') schema.type = 'integer';
  for (const property of Object.values(schema.properties ?? {})) integersOnly(property as SchemaObject);
  if (schema.items) integersOnly(schema.items as SchemaObject);
}

export function setupSwagger(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
