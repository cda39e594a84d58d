import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type Redis from 'ioredis';
import ipaddr from 'ipaddr.js';
import { AppConfig } from '../../config/app-config';
import type { Clock } from '../domain/clock';
import { redisKey } from '../redis/redis-keys';
import type { MetricsRegistry } from '../observability/metrics';
import {
  type ApiKeyAuthenticator,
  type AuthenticatedRequest,
  presentedApiKey,
  rememberKeyCheck,
} from './auth';
import { problemDocument } from './problem-details';
import { requestIdOf, sendProblem } from './problem-details.filter';

const WINDOW_MS = 60_000;
const POLICY = 'default';

// One round trip: count the hit, start the window on the first one, report its remaining time.
// The window ends where the key expires, at a time of the service's clock (ARGV[2] is its now), so
// that a test moving that clock moves the window; a window the clock has passed starts afresh.
const INCREMENT = `
local now = tonumber(ARGV[2])
local ends = redis.call('PEXPIRETIME', KEYS[1])
if ends <= now then
  ends = now + tonumber(ARGV[1])
  redis.call('SET', KEYS[1], 0, 'PXAT', ends)
end
return { redis.call('INCR', KEYS[1]), ends - now }`;

/** Not limited: signed webhooks (a provider's retries must get through) and the readiness probe. */
const UNLIMITED = new Set(['/health', '/api/payments/webhook']);

/**
 * One IPv6 client usually holds a whole /56 and could otherwise take a new address per request:
 * IPv6 clients are counted by their /56, IPv4 (and IPv4-mapped) clients by their address.
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  return address.kind() === 'ipv6'
    ? `${ipaddr.IPv6.networkAddressFromCIDR(`${ip}/56`).toString()}/56`
    : address.toString();
}

/**
 * Fixed windows of RATE_LIMIT_PER_MINUTE per API key across all routes, and per client IP for
 * every request without a valid key, failed authentications included. Counters live in Redis,
 * shared by every instance; when Redis fails the request goes through, since rate limiting
 * protects capacity and never decides correctness. It runs as an onRequest hook, ahead of routing
 * to Nest, so it also covers the queue dashboard and comes before the key guard; the key check it
 * makes is remembered for the guard. The client IP is the socket's unless the peer is a
 * TRUST_PROXY address. Headers follow the IETF httpapi RateLimit draft.
 */
export function rateLimitHook(
  config: AppConfig,
  redis: Redis,
  authenticator: ApiKeyAuthenticator,
  clock: Clock,
  metrics: MetricsRegistry,
): onRequestHookHandler | undefined {
  const limit = config.RATE_LIMIT_PER_MINUTE;
  if (limit === 0) return undefined;
  const logger = new Logger('RateLimit');
  const unenforced = metrics.counter(
    'rate_limit_unenforced_total',
    'Requests let through uncounted because the rate-limit counter in Redis could not be reached in time',
  );
  const policy = `"${POLICY}"; q=${limit}; w=${WINDOW_MS / 1000}`;

  const counterOf = async (req: FastifyRequest): Promise<string> => {
    const key = presentedApiKey(req);
    const caller = key === undefined ? null : await authenticator.authenticate(key);
    if (key !== undefined) rememberKeyCheck(req as AuthenticatedRequest, key, caller);
    return caller ? `account:${caller.accountId}` : `ip:${clientKey(req.ip)}`;
  };

  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (UNLIMITED.has(req.url.split('?')[0])) return;
    const counter = redisKey(config, 'rate', await counterOf(req));
    let hits: number;
    let pttl: number;
    try {
      [hits, pttl] = (await redis.eval(INCREMENT, 1, counter, WINDOW_MS, clock.now())) as [number, number];
    } catch (error) {
      unenforced.inc();
      logger.debug(`rate limit not enforced: ${(error as Error).message}`);
      return;
    }
    const resetSeconds = Math.max(0, Math.ceil(pttl / 1000));
    reply.header('RateLimit-Policy', policy);
    reply.header('RateLimit', `"${POLICY}"; r=${Math.max(0, limit - hits)}; t=${resetSeconds}`);
    if (hits <= limit) return;
    sendProblem(reply, {
      headers: { 'Retry-After': String(resetSeconds) },
      body: problemDocument({
        status: 429,
        title: 'Too many requests',
        code: 'rate_limited',
        detail: `More than ${limit} requests per minute; retry after Retry-After seconds`,
        requestId: requestIdOf(req),
      }),
    });
    return reply;
  };
}
