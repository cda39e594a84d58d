import { plainToInstance, Transform } from 'class-transformer';
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
  ValidateIf,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];
export const PROVIDER_MODES = ['sandbox', 'live'] as const;
export type ProviderMode = (typeof PROVIDER_MODES)[number];

/**
 * Every setting the service reads, validated once at start. A bad value stops the process with a
 * message that names the variable. Defaults are those of the README's configuration table.
 */
export class AppConfig {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
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

  @IsString()
  @MinLength(16, { message: 'WEBHOOK_SECRET must be a whsec_ secret or at least 16 characters' })
  WEBHOOK_SECRET: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  HOLD_TTL_SECONDS = 120;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(7 * 86400)
  ORDER_PAYMENT_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(30 * 86400)
  IDEMPOTENCY_TTL_SECONDS = 86400;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  PRODUCT_CACHE_TTL_SECONDS = 2;

  @IsIn(PROVIDER_MODES)
  PROVIDER_MODE: ProviderMode = 'sandbox';

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  AMADEUS_BASE_URL = 'https://test.api.amadeus.com';

  @ValidateIf(liveProviders)
  @IsString()
  @MinLength(1, { message: 'AMADEUS_CLIENT_ID is required when PROVIDER_MODE=live' })
  AMADEUS_CLIENT_ID?: string;

  @ValidateIf(liveProviders)
  @IsString()
  @MinLength(1, { message: 'AMADEUS_CLIENT_SECRET is required when PROVIDER_MODE=live' })
  AMADEUS_CLIENT_SECRET?: string;

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  BOOKING_BASE_URL = 'https://demandapi.booking.com';

  @ValidateIf(liveProviders)
  @IsString()
  @MinLength(1, { message: 'BOOKING_API_TOKEN is required when PROVIDER_MODE=live' })
  BOOKING_API_TOKEN?: string;

  @ValidateIf(liveProviders)
  @Matches(/^\d+$/, {
    message: 'BOOKING_AFFILIATE_ID is required when PROVIDER_MODE=live and must be a number',
  })
  BOOKING_AFFILIATE_ID?: string;

  /** Longest wait for one provider HTTP call before it counts as failed (and, for a create, as ambiguous). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120000)
  PROVIDER_TIMEOUT_MS = 10000;

  /** Provider calls a booking job makes before the booking fails and is refunded. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  BOOKING_JOB_ATTEMPTS = 5;

  /** First wait between booking attempts; it doubles each time. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600000)
  BOOKING_JOB_BACKOFF_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_MINUTE = 600;

  @IsIn(ROLES)
  ROLE: Role = 'all';

  /** A request still running after this long is answered 503; its work is not cancelled. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  REQUEST_TIMEOUT_MS = 15000;

  /** Longest wait for a row lock before answering 503 (`wallet_busy` for wallets). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60000)
  LOCK_TIMEOUT_MS = 3000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
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
    'AMADEUS_CLIENT_ID',
    'AMADEUS_CLIENT_SECRET',
    'BOOKING_API_TOKEN',
    'BOOKING_AFFILIATE_ID',
  ])) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const got = raw[e.property] === undefined ? 'not set' : `got ${JSON.stringify(raw[e.property])}`;
      return `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (${got})`;
    });
    throw new ConfigValidationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}
