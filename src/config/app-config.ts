import { plainToInstance, Transform } from 'class-transformer';
import { isIP } from 'net';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  validateSync,
} from 'class-validator';

const WHSEC = /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/** `whsec_` + padded base64 (what Standard Webhooks libraries decode), or any other secret of 16+ characters. */
const IsWebhookSecret = () =>
  ValidateBy({
    name: 'isWebhookSecret',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && (value.startsWith('whsec_') ? WHSEC.test(value) : value.length >= 16),
      defaultMessage: () =>
        'WEBHOOK_SECRET must be whsec_ followed by padded base64, or another secret of at least 16 characters',
    },
  });
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const IsProxyList = () =>
  ValidateBy({
    name: 'isProxyList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        (value.trim() === '' || value.split(',').every((e) => isProxyEntry(e.trim()))),
      defaultMessage: () =>
        'TRUST_PROXY must be comma-separated IP addresses, CIDR ranges, loopback, linklocal or uniquelocal',
    },
  });

/** Their values are never echoed in a configuration error (URLs carry passwords). */
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'ADMIN_API_KEY',
  'WEBHOOK_SECRET',
  'SIGNING_SECRET',
  'AMADEUS_CLIENT_SECRET',
  'BOOKING_API_TOKEN',
  'METRICS_TOKEN',
]);

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/** Several property decorators as one, applied in the order they would run if stacked as written. */
const stacked =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of [...decorators].reverse()) decorator(target, key);
  };

/** An integer setting in [min, max], read from its decimal string. */
const IntSetting = (min: number, max?: number) =>
  stacked(Transform(toInt), IsInt(), Min(min), ...(max === undefined ? [] : [Max(max)]));

/** A provider credential: needed, and non-empty, only with PROVIDER_MODE=live. */
const LiveProviderCredential = (): PropertyDecorator => (target, key) =>
  stacked(
    ValidateIf(liveProviders),
    IsString(),
    MinLength(1, { message: `${String(key)} is required when PROVIDER_MODE=live` }),
  )(target, key);

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];
export const PROVIDER_MODES = ['sandbox', 'live'] as const;
export type ProviderMode = (typeof PROVIDER_MODES)[number];

/**
 * Every setting the service reads, validated once at start. A bad value stops the process with a
 * message that names the variable. Defaults are those of the README's configuration table.
 */
export class AppConfig {
  @IntSetting(0, 65535)
  PORT = 3000;

  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL: string;

  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL: string;

  /** Prefix of every Redis key this service writes (queues, caches, locks, rate limits). */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/)
  REDIS_KEY_PREFIX = 'cw';

  @IsString()
  @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters' })
  ADMIN_API_KEY: string;

  @IsWebhookSecret()
  WEBHOOK_SECRET: string;

  /**
   * The key of what the service signs for clients (offer ids, list cursors): its own, so that a
   * value anyone can see never lets a guess at another secret be tested offline.
   */
  @IsString()
  @MinLength(32, { message: 'SIGNING_SECRET must be at least 32 characters' })
  SIGNING_SECRET: string;

  @IntSetting(1, 86400)
  HOLD_TTL_SECONDS = 120;

  @IntSetting(1, 7 * 86400)
  ORDER_PAYMENT_TTL_SECONDS = 900;

  @IntSetting(60, 30 * 86400)
  IDEMPOTENCY_TTL_SECONDS = 86400;

  @IntSetting(0, 3600)
  PRODUCT_CACHE_TTL_SECONDS = 2;

  @IsIn(PROVIDER_MODES)
  PROVIDER_MODE: ProviderMode = 'sandbox';

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  AMADEUS_BASE_URL = 'https://test.api.amadeus.com';

  @LiveProviderCredential()
  AMADEUS_CLIENT_ID?: string;

  @LiveProviderCredential()
  AMADEUS_CLIENT_SECRET?: string;

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  BOOKING_BASE_URL = 'https://demandapi.booking.com';

  @LiveProviderCredential()
  BOOKING_API_TOKEN?: string;

  @ValidateIf(liveProviders)
  @Matches(/^\d+$/, {
    message: 'BOOKING_AFFILIATE_ID is required when PROVIDER_MODE=live and must be a number',
  })
  BOOKING_AFFILIATE_ID?: string;

  /** The currency live providers are asked to quote in (Amadeus `currencyCode`, Booking.com `currency`). */
  @Matches(/^[A-Z]{3}$/, { message: 'PROVIDER_CURRENCY must be a 3-letter ISO 4217 code' })
  PROVIDER_CURRENCY = 'EUR';

  /** Longest wait for one provider HTTP call before it counts as failed (and, for a create, as ambiguous). */
  @IntSetting(100, 120000)
  PROVIDER_TIMEOUT_MS = 10000;

  /** Provider calls a booking job makes before the booking fails and is refunded. */
  @IntSetting(1, 50)
  BOOKING_JOB_ATTEMPTS = 5;

  /** First wait between booking attempts; it doubles each time. */
  @IntSetting(1, 3600000)
  BOOKING_JOB_BACKOFF_MS = 2000;

  @IntSetting(0)
  RATE_LIMIT_PER_MINUTE = 600;

  /**
   * Reverse proxies whose X-Forwarded-For is believed, as Express's `trust proxy` list: addresses,
   * CIDR ranges or `loopback`, `linklocal`, `uniquelocal`, comma-separated. Empty: none, so the
   * client IP is always the socket's and a client cannot choose its own.
   */
  @IsProxyList()
  TRUST_PROXY = '';

  /**
   * When set, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`, so that a service
   * reachable from outside does not show its traffic to anyone. Unset: public.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]{16,256}$/, {
    message: 'METRICS_TOKEN must be 16 to 256 printable ASCII characters without spaces',
  })
  METRICS_TOKEN?: string;

  @IsIn(ROLES)
  ROLE: Role = 'all';

  /** A request still running after this long is answered 503; its work is not cancelled. */
  @IntSetting(100, 600000)
  REQUEST_TIMEOUT_MS = 15000;

  /** Longest wait for a row lock before answering 503 (`wallet_busy` for wallets). */
  @IntSetting(10, 60000)
  LOCK_TIMEOUT_MS = 3000;

  /**
   * `on`: API processes take turns on a wallet in Redis before they queue on its row lock. Off by
   * default: with group commit a process has at most two transactions per wallet in flight, so the
   * lock would only add a Redis round trip to every batch.
   */
  @IsIn(['on', 'off'])
  WALLET_REDIS_LOCK: 'on' | 'off' = 'off';

  /** How long events are kept (GET /api/events, and the delivery log of webhook endpoints). */
  @IntSetting(1, 3650)
  EVENT_RETENTION_DAYS = 30;

  /**
   * `true`: webhook endpoints may be `http` and resolve to private, loopback or link-local addresses
   * (tests, private networks). Off by default, so that an endpoint URL cannot reach the service's own network.
   */
  @IsIn(['true', 'false'])
  WEBHOOK_ALLOW_PRIVATE: 'true' | 'false' = 'false';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsOptional()
  @IntSetting(1, 500)
  DATABASE_POOL_SIZE = 20;
}

function liveProviders(config: AppConfig): boolean {
  return config.PROVIDER_MODE === 'live';
}

export class ConfigValidationError extends Error {}

/** Reads the known variables from `env`; empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const defaults = new AppConfig();
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults).concat([
    'DATABASE_URL',
    'REDIS_URL',
    'ADMIN_API_KEY',
    'WEBHOOK_SECRET',
    'SIGNING_SECRET',
    'AMADEUS_CLIENT_ID',
    'AMADEUS_CLIENT_SECRET',
    'BOOKING_API_TOKEN',
    'BOOKING_AFFILIATE_ID',
    'METRICS_TOKEN',
  ])) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const problems = errors.map((e) => {
      const value = raw[e.property];
      const got =
        value === undefined
          ? 'not set'
          : SECRET_VARIABLES.has(e.property)
            ? 'value not shown'
            : `got ${JSON.stringify(value)}`;
      return `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')} (${got})`;
    });
    // One line, so that it reads whole in any log collector.
    throw new ConfigValidationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return config;
}
