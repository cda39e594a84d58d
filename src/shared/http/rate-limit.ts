import { Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  ipKeyGenerator,
  rateLimit,
  type IncrementResponse,
  type Options,
  type Store,
} from 'express-rate-limit';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { redisKey } from '../redis/redis-keys';
import {
  type ApiKeyAuthenticator,
  type AuthenticatedRequest,
  presentedApiKey,
  rememberKeyCheck,
} from './auth';
import { requestIdOf, sendProblem } from './problem-details.filter';

const WINDOW_MS = 60_000;

// One round trip: count the hit, start the window on the first one, report its remaining time.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/**
 * Fixed-window counters in Redis, shared by every instance. A failing command makes the limiter
 * let the request through (`passOnStoreError`): rate limiting protects capacity, it never decides
 * correctness, and Redis is not an authority.
 */
class RedisRateLimitStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async increment(key: string): Promise<IncrementResponse> {
    const [hits, pttl] = (await this.redis.eval(INCREMENT, 1, this.key(key), WINDOW_MS)) as [number, number];
    return { totalHits: hits, resetTime: new Date(Date.now() + Math.max(pttl, 0)) };
  }

  async decrement(key: string): Promise<void> {
    await this.redis.decr(this.key(key));
  }

  async resetKey(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  private key(key: string): string {
    return redisKey(this.config, 'rate', key);
  }
}

/** Not limited: signed webhooks (a provider's retries must get through) and the readiness probe. */
const UNLIMITED = new Set(['/health', '/api/payments/webhook']);

/**
 * RATE_LIMIT_PER_MINUTE per API key across all routes, and per client IP for every request without
 * a valid key, failed authentications included. It runs as middleware ahead of routing, so it also
 * covers the queue dashboard and comes before the key guard; the key check it makes is remembered
 * for the guard. The client IP is the socket's unless the peer is a TRUST_PROXY address.
 */
export function rateLimitMiddleware(
  config: AppConfig,
  redis: Redis,
  authenticator: ApiKeyAuthenticator,
): RequestHandler {
  const logger = new Logger('RateLimit');
  const options: Partial<Options> = {
    windowMs: WINDOW_MS,
    limit: config.RATE_LIMIT_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'default',
    skip: (req) => UNLIMITED.has(req.path),
    keyGenerator: async (req: Request) => {
      const key = presentedApiKey(req);
      const principal = key === undefined ? null : await authenticator.authenticate(key);
      if (key !== undefined) rememberKeyCheck(req as AuthenticatedRequest, key, principal);
      return principal ? `account:${principal.accountId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (req: Request, res: Response) =>
      sendProblem(res, {
        headers: {},
        body: {
          type: 'about:blank',
          title: 'Too many requests',
          status: 429,
          code: 'rate_limited',
          detail: `More than ${config.RATE_LIMIT_PER_MINUTE} requests per minute; retry after Retry-After seconds`,
          request_id: requestIdOf(req),
        },
      }),
    store: new RedisRateLimitStore(redis, config),
    passOnStoreError: true,
    logger: {
      error: (error) => logger.debug(`rate limit not enforced: ${(error as Error)?.message}`),
      warn: (error) => logger.debug(String(error)),
    },
    // X-Forwarded-For from untrusted peers is expected here and deliberately ignored.
    validate: { xForwardedForHeader: false },
  };
  if (config.RATE_LIMIT_PER_MINUTE === 0)
    return (_req: Request, _res: Response, next: NextFunction) => next();
  return rateLimit(options);
}
