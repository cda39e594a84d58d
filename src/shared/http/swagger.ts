import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../../config/app-config';
import { codeForStatus, ProblemDetails } from './problem-details';
import { problemExamples } from './problem-examples';

/** The security scheme of the document that stands for METRICS_TOKEN. */
export const METRICS_TOKEN_SCHEME = 'metrics_token';

/** Where the description lists the operations that require an Idempotency-Key, filled in from the document. */
const REQUIRED_KEYS = '<operations that require the key>';

/** What the description says of the rate limit, off (0) or on. */
function rateLimitParagraph(perMinute: number): string[] {
  if (perMinute === 0) {
    return [
      '**Rate limit**: off in this deployment (RATE_LIMIT_PER_MINUTE=0). When it is on, requests are counted per',
      'API key across all routes and per client IP for requests without a valid key, and 429 `rate_limited`',
      'answers carry `Retry-After`.',
    ];
  }
  return [
    `**Rate limit**: ${perMinute} requests per minute per API key across all routes, and`,
    'per client IP for requests without a valid key (failed authentications included, counted before the key is',
    'looked up). Validly signed webhooks and `/health` are not counted; a webhook whose signature fails counts',
    'against its IP. Every counted answer carries `RateLimit-Policy` and `RateLimit` (IETF httpapi',
    'draft); over the limit, 429 `rate_limited` with `Retry-After` = seconds until the window frees a request.',
    '`X-Forwarded-For` is believed only from `TRUST_PROXY` addresses.',
  ];
}

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
    '**Money** is an integer number of minor units (`1999` = 19.99) with an ISO 4217 currency code (`ZZZ` is refused).',
    'A hold whose price × quantity would pass 9007199254740991 is a 422 `amount_too_large`: nothing is reserved.',
    '',
    '**Errors** are RFC 9457 `application/problem+json` with a stable `code` and, on validation failures,',
    '`errors: [{ field, message }]`. Each error response below shows an example of each of its codes.',
    '',
    '**Idempotency**: send `Idempotency-Key` (1..255 printable ASCII characters) on POSTs. It is required on every',
    `POST that moves money (${REQUIRED_KEYS}), and optional on every other POST. Keys are scoped to the`,
    `calling account and kept for ${config.IDEMPOTENCY_TTL_SECONDS} seconds (${hours} h): a retry with the same key`,
    'and the same request gets the first answer again, with the header `idempotent-replayed: true`.',
    'A replayed refusal also says so in its body: `"replayed": true` and `original_request_id` (the first',
    "request's `request_id`), because it tells what happened then, not the state now: after a top-up, retry a",
    'refused payment with a **new** key. The same key with a different request is a 422 `idempotency_key_reused`.',
    'A retry sent while the first is still running waits for it and',
    `replays its answer; past ${config.LOCK_TIMEOUT_MS} ms of waiting (LOCK_TIMEOUT_MS) it is a 409`,
    '`idempotency_key_in_use` with `Retry-After`. A 5xx answer releases the key so that the request can be retried',
    'safely. Secrets in an answer (a new API key, a webhook signing secret) are never stored: a replay shows them as `null`.',
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
    ...rateLimitParagraph(config.RATE_LIMIT_PER_MINUTE),
    '',
    '**Created resources**: a 201 that creates a resource carries its URL in `Location`.',
    '',
    '**Metrics**: `GET /metrics` is public unless METRICS_TOKEN is set; then it needs',
    '`Authorization: Bearer <METRICS_TOKEN>`.',
  ].join('\n');
  const builder = new DocumentBuilder()
    .setTitle('Checkout and wallet service')
    .setDescription(description)
    .setVersion('1.0')
    // Relative to wherever the document is served from, so that Try it out calls the same host.
    .addServer('/')
    .setLicense('Proprietary (UNLICENSED)', 'https://docs.npmjs.com/cli/configuring-npm/package-json#license')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'An API key: the admin key or a customer key',
      // Opaque keys, not JWTs (the builder's default format).
      bearerFormat: undefined,
    })
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'METRICS_TOKEN, for `/metrics` when the deployment sets it',
        bearerFormat: undefined,
      },
      METRICS_TOKEN_SCHEME,
    )
    .build();
  const document = polish(SwaggerModule.createDocument(app, builder, { extraModels: [ProblemDetails] }));
  // The list is the document's own, so that an endpoint that requires the key cannot be left out of it.
  const required = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, OperationObject>)
      .filter(([, op]) =>
        op?.parameters?.some((p) => p.name === 'Idempotency-Key' && (p as { required?: boolean }).required),
      )
      .map(([method]) => `\`${method.toUpperCase()} ${path}\``),
  );
  document.info.description = description.replace(REQUIRED_KEYS, required.join(', '));
  return document;
}

// The parts of the OpenAPI document polish() walks.
interface SchemaObject {
  type?: string;
  format?: string;
  nullable?: boolean;
  description?: string;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  $ref?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}
interface ParameterObject {
  name?: string;
  in?: string;
  schema?: SchemaObject;
}
interface OperationObject {
  parameters?: ParameterObject[];
  requestBody?: unknown;
  security?: Array<Record<string, string[]>>;
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
  { name: 'events', description: 'What changed, per account, newest first: the events webhooks carry' },
  {
    name: 'webhooks',
    description:
      'Endpoints that receive events, signed per Standard Webhooks; their delivery log and retries',
  },
  { name: 'operations', description: 'Health, metrics and reconciliation' },
];

const HEADER = (description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  description,
  schema,
});

/** A problem+json body, a new object for each response (each gets examples of its own status). */
const PROBLEM = () => ({
  'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } },
});

/**
 * Answers the HTTP layer gives to any operation, before or around its handler (API.md, Conventions
 * and Errors); each is added where the operation's own decorators did not document its status.
 */
const HTTP_LAYER: Array<{ status: string; description: string; when: (method: string) => boolean }> = [
  {
    status: '400',
    description:
      '`validation_failed`: an unknown query parameter, a body where the operation takes none, or a malformed request',
    when: () => true,
  },
  {
    status: '408',
    description: '`request_timeout`: the headers and body did not arrive whole within REQUEST_TIMEOUT_MS',
    when: () => true,
  },
  {
    status: '413',
    description: '`payload_too_large`: a body over 64 kB',
    when: (method) => method !== 'get',
  },
  {
    status: '415',
    description: '`unsupported_media_type`: a body that is not `application/json` in UTF-8, or is compressed',
    when: (method) => method !== 'get',
  },
  {
    status: '503',
    description:
      '`service_unavailable`: the database is unreachable, or the answer took longer than REQUEST_TIMEOUT_MS ' +
      '(retry after `Retry-After`)',
    when: () => true,
  },
];

/**
 * What decorators cannot say once for every operation: errors are problem documents, every number of
 * this API is an integer (money in minor units, stock, quantities), ids are UUIDs, which headers
 * answers carry, what the HTTP layer may answer anywhere, and that an operation without an API key
 * says so (`security: []`).
 */
function polish(document: OpenAPIObject): OpenAPIObject {
  document.tags = TAGS;
  // An offer carries the provider's facts (route and times, or hotel and stay) beside `id` and `price`.
  const offer = document.components?.schemas?.OfferResponse as Record<string, unknown> | undefined;
  if (offer) offer.additionalProperties = true;
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    integersOnly(schema as SchemaObject);
    nullableReferences(schema as SchemaObject);
  }
  for (const [path, item] of Object.entries(document.paths)) {
    // The health probe is not rate limited; webhooks are when their signature fails (API.md, Rate limits).
    const limited = path !== '/health';
    for (const [method, operation] of Object.entries(item) as Array<[string, OperationObject]>) {
      if (!operation?.responses) continue;
      operation.security ??= [];
      for (const parameter of operation.parameters ?? []) {
        if (!parameter.schema) continue;
        integersOnly(parameter.schema);
        if (parameter.in === 'path' && /(^|_)id$/.test(parameter.name ?? ''))
          parameter.schema.format = 'uuid';
      }
      for (const answer of HTTP_LAYER) {
        if (answer.when(method)) {
          operation.responses[answer.status] ??= { description: answer.description, content: PROBLEM() };
        }
      }
      if (limited) {
        operation.responses['429'] ??= {
          description: '`rate_limited`: over RATE_LIMIT_PER_MINUTE; retry after `Retry-After` seconds',
          content: PROBLEM(),
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
          ...response.headers,
          'x-request-id': HEADER('The request id, echoed from the request when it sent one'),
        };
        // Whatever the operation produces when it succeeds, its errors are problem documents.
        const media = Object.values(response.content ?? {});
        if (code >= 400 && media.length > 0 && !response.content?.['application/problem+json']) {
          response.content = { 'application/problem+json': media[0] };
        }
        const problem = code >= 400 ? response.content?.['application/problem+json'] : undefined;
        if (problem && response.content) {
          const fallback = codeForStatus(code);
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

/**
 * A nullable reference (`payment: OrderPaymentResponse | null`) comes out of the decorators as
 * `nullable` beside an `allOf` of the reference, which in OpenAPI 3.0 still refuses null: `nullable`
 * applies only to a `type` in the same schema. One of the object or a null says it exactly.
 */
function nullableReferences(schema: SchemaObject): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.nullable && property.allOf?.length === 1 && property.allOf[0].$ref) {
      schema.properties![name] = {
        ...(property.description ? { description: property.description } : {}),
        oneOf: [property.allOf[0], { type: 'object', nullable: true, enum: [null] } as SchemaObject],
      };
    } else {
      nullableReferences(property);
    }
  }
  if (schema.items) nullableReferences(schema.items);
}

export function setupSwagger(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    // A pasted key lives in the page's memory only: gone with the tab, never in localStorage.
    swaggerOptions: { persistAuthorization: false },
  });
}
