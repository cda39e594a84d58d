import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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
    'An order whose price × quantity passes 9007199254740991 is a 422 `amount_too_large`.',
    '',
    '**Errors** are RFC 9457 `application/problem+json` with a stable `code` and, on validation failures,',
    '`errors: [{ field, message }]`.',
    '',
    '**Hostile input is a 400 `validation_failed`**, never a 5xx: text containing NUL characters or unpaired',
    'surrogates, bodies nested deeper than 32 levels, arrays where an object belongs (and the reverse), unknown',
    'fields (except in webhook bodies, which ignore them), unknown query parameters, a body on an endpoint that',
    'takes none, and cursors this API did not issue. Bodies are at most 64 kB (413); a request whose headers',
    'and body have not arrived whole within the request timeout is cut (408).',
    '',
    '**Idempotency**: send `Idempotency-Key` (1..255 printable ASCII characters) on POSTs. It is required on wallet',
    'credit and debit, order pay and refund, and bookings, and optional on every other POST. Keys are scoped to the',
    `calling account and kept for ${config.IDEMPOTENCY_TTL_SECONDS} seconds (${hours} h): a retry with the same key`,
    'and the same request gets the first answer again with `idempotent-replayed: true`; the same key with a different',
    'request is a 422 `idempotency_key_reused`; while the first is still running, a 409 `idempotency_key_in_use`',
    'with `Retry-After`. A 5xx answer releases the key so that the request can be retried safely.',
    '',
    `**Rate limit**: ${config.RATE_LIMIT_PER_MINUTE || 'no'} requests per minute per API key across all routes, and`,
    'per client IP for requests without a valid key (failed authentications included). Signed webhooks and',
    '`/health` are not counted. Every counted answer carries `RateLimit-Policy` and `RateLimit` (IETF httpapi',
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
    })
    .build();
  return SwaggerModule.createDocument(app, builder, { extraModels: [ProblemDetails] });
}

export function setupSwagger(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
