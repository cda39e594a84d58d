import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../../config/app-config';
import { ProblemDetails } from './problem-details';

export function buildOpenApiDocument(app: INestApplication, config: AppConfig) {
  const hours = Math.round((config.IDEMPOTENCY_TTL_SECONDS / 3600) * 10) / 10;
  const description = [
    'Wallets with a ledger, flash-sale inventory with expiring holds, orders, payments and travel bookings.',
    '',
    '**Authentication**: `Authorization: Bearer <api key>`. The admin key comes from `ADMIN_API_KEY`; the admin',
    'creates customer accounts with `POST /api/accounts`, whose answer shows the customer key once.',
    'A resource that belongs to another account answers 404, exactly as one that does not exist.',
    '',
    '**Money** is an integer number of minor units (`1999` = 19.99) with an ISO 4217 currency code (`ZZZ` is refused).',
    'A hold whose price × quantity would pass 9007199254740991 is a 422 `amount_too_large`: nothing is reserved.',
    '',
    '**Errors** are RFC 9457 `application/problem+json` with a stable `code` and, on validation failures,',
    '`errors: [{ field, message }]`.',
    '',
    '**Hostile input is a 400 `validation_failed`**, never a 5xx: text containing NUL characters or unpaired',
    'surrogates, bodies nested deeper than 32 levels, arrays where an object belongs (and the reverse), unknown',
    'fields (except in webhook bodies, which ignore them), unknown query parameters, a body on an endpoint that',
    'takes none, a JSON object with the same key twice, a `limit` that is not plain decimal digits 1..100, an',
    'HTTP/1.1 request without `Host`, and cursors or offer ids this API did not issue (or spelled another way;',
    'an offer id is a 422 `offer_unavailable`). Ids are UUIDs, matched in any case and answered in lower case.',
    'Bodies are at most 64 kB (413) and are UTF-8 JSON, sent',
    'uncompressed: another charset or a `Content-Encoding` is a 415 `unsupported_media_type`. A request whose',
    'headers and body have not arrived whole within the request timeout is cut (408 `request_timeout`).',
    '',
    '**Idempotency**: send `Idempotency-Key` (1..255 printable ASCII characters) on POSTs. It is required on wallet',
    'credit and debit, order pay and refund, and bookings, and optional on every other POST. Keys are scoped to the',
    `calling account and kept for ${config.IDEMPOTENCY_TTL_SECONDS} seconds (${hours} h): a retry with the same key`,
    'and the same request gets the first answer again with `idempotent-replayed: true`; the same key with a different',
    'request is a 422 `idempotency_key_reused`; while the first is still running, a 409 `idempotency_key_in_use`',
    'with `Retry-After`. A 5xx answer releases the key so that the request can be retried safely.',
    '',
    `**Rate limit**: ${config.RATE_LIMIT_PER_MINUTE || 'no'} requests per minute per API key across all routes, and`,
    'per client IP for requests without a valid key (failed authentications included, counted before the key is',
    'looked up). Validly signed webhooks and `/health` are not counted; a webhook whose signature fails counts',
    'against its IP. Every counted answer carries `RateLimit-Policy` and `RateLimit` (IETF httpapi',
    'draft); over the limit, 429 `rate_limited` with `Retry-After` = seconds until the window frees a request.',
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
    // The health probe is not rate limited; webhooks are when their signature fails (API.md, Rate limits).
    const limited = path !== '/health';
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
