import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type Redis from 'ioredis';
import ipaddr from 'ipaddr.js';
import { AppConfig } from '../../config/app-config';
import type { Clock } from '../domain/clock';
import { PerTurn } from '../redis/per-turn';
import { redisKey } from '../redis/redis-keys';
import type { MetricsRegistry } from '../observability/metrics';
import {
  type ApiKeyAuthenticator,
  type AuthenticatedRequest,
  presentedApiKey,
  rememberKeyCheck,
} from './auth';
import { domainError } from '../domain/domain-error';
import { requestIdOf, sendProblem, toProblem } from './problem-details.filter';

const WINDOW_MS = 60_000;
const POLICY = 'default';

// One round trip: count the hits (ARGV[3] of them), start the window on the first one, report its
// remaining time. The window ends where the key expires, at a time of the service's clock (ARGV[2]
// is its now), so that a test moving that clock moves the window; a window the clock has passed
// starts afresh.
const INCREMENT = `
local now = tonumber(ARGV[2])
local ends = redis.call('PEXPIRETIME', KEYS[1])
if ends <= now then
  ends = now + tonumber(ARGV[1])
  redis.call('SET', KEYS[1], 0, 'PXAT', ends)
end
return { redis.call('INCRBY', KEYS[1], ARGV[3]), ends - now }`;
/**
 * The script as a command of the client: ioredis sends its text once per connection and its SHA1
 * (EVALSHA) after that, instead of the whole script with every request.
 */
const INCREMENT_COMMAND = 'rateLimitIncrement';
type CountingRedis = Redis & {
  [INCREMENT_COMMAND](
    counter: string,
    windowMs: number,
    now: number,
    hits: number,
  ): Promise<[number, number]>;
};

function countingClient(redis: Redis): CountingRedis {
  if (!(INCREMENT_COMMAND in redis)) {
    redis.defineCommand(INCREMENT_COMMAND, { numberOfKeys: 1, lua: INCREMENT });
  }
  return redis as CountingRedis;
}

/** Not limited: the readiness probe. */
const UNLIMITED = '/health';
/**
 * Counted only when their signature fails (see countFailedSignature): a provider's validly signed
 * retries must get through, while forged posts are limited like any other flood.
 */
const SIGNED = '/api/payments/webhook';

export class RateLimitedError extends domainError('rate_limited', 'Too many requests') {
  constructor(
    limit: number,
    override readonly retryAfterSeconds: number,
  ) {
    super(`More than ${limit} requests per minute; retry after Retry-After seconds`);
  }
}

const LIMITER = Symbol('rate limiter');
/** Client addresses whose counter's key is kept; past that many the keys are forgotten and made anew. */
const ADDRESSES_REMEMBERED = 10_000;
type LimitedRequest = FastifyRequest & { [LIMITER]?: RateLimiter };

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
 * to Nest, so it also covers the queue dashboard and comes before the key guard. The client IP is
 * the socket's unless the peer is a TRUST_PROXY address. Headers follow the IETF httpapi RateLimit
 * draft.
 *
 * A key the process does not know yet is looked up only for an address under its limit: the
 * request is counted against the address first, so a flood of wrong keys from an address over its
 * limit costs the database nothing (and a key found valid moves its count to its account). The
 * key check is remembered for the guard.
 */
export function rateLimitHook(
  config: AppConfig,
  redis: Redis,
  authenticator: ApiKeyAuthenticator,
  clock: Clock,
  metrics: MetricsRegistry,
): onRequestHookHandler | undefined {
  if (config.RATE_LIMIT_PER_MINUTE === 0) return undefined;
  const limiter = new RateLimiter(config, redis, authenticator, clock, metrics);
  return (req, reply) => limiter.onRequest(req, reply);
}

/**
 * For a route exempt from the limit while it is validly signed: counts a request whose signature
 * failed against its address, and throws RateLimitedError once the address is over its limit.
 */
export async function countFailedSignature(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  await (req as LimitedRequest)[LIMITER]?.chargeAddress(req, reply);
}

class RateLimiter {
  private readonly logger = new Logger('RateLimit');
  private readonly unenforced;
  private readonly limit: number;
  private readonly policy: string;
  /** Each client address's counter key, made once (see addressCounter). */
  private readonly addressCounters = new Map<string, string>();
  private readonly redis: CountingRedis;
  /**
   * The hits on one counter in one turn of the event loop are counted by one command: each takes
   * its own place among them, as if it had been counted alone, so the count stays exact across
   * instances.
   */
  private readonly hits = new PerTurn<[number, number]>((counter, asks) =>
    this.redis[INCREMENT_COMMAND](counter, WINDOW_MS, this.clock.now(), asks),
  );

  constructor(
    private readonly config: AppConfig,
    redis: Redis,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly clock: Clock,
    metrics: MetricsRegistry,
  ) {
    this.redis = countingClient(redis);
    this.limit = config.RATE_LIMIT_PER_MINUTE;
    this.policy = `"${POLICY}"; q=${this.limit}; w=${WINDOW_MS / 1000}`;
    this.unenforced = metrics.counter(
      'rate_limit_unenforced_total',
      'Requests let through uncounted because the rate-limit counter in Redis could not be reached in time',
    );
  }

  async onRequest(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const path = req.url.split('?')[0];
    if (path === UNLIMITED) return undefined;
    if (path === SIGNED) {
      (req as LimitedRequest)[LIMITER] = this;
      return undefined;
    }
    const key = presentedApiKey(req);
    let caller = key === undefined ? null : this.authenticator.known(key);
    // A key found valid before and due for a recheck counts against its account, as it did; the
    // guard rechecks it. Only a key never found valid makes its address pay for the lookup.
    if (caller === undefined) caller = this.authenticator.seenValid(key as string);
    else if (key !== undefined) rememberKeyCheck(req as AuthenticatedRequest, key, caller);
    if (caller === undefined) {
      const verdict = await this.count(this.addressCounter(req));
      if (verdict?.over) return this.refuse(req, reply, verdict);
      caller = await this.authenticator.authenticate(key as string);
      rememberKeyCheck(req as AuthenticatedRequest, key as string, caller);
      if (!caller) return this.answer(req, reply, verdict);
      if (verdict) this.uncount(this.addressCounter(req));
    }
    const counter = caller
      ? redisKey(this.config, 'rate', `account:${caller.accountId}`)
      : this.addressCounter(req);
    return this.answer(req, reply, await this.count(counter));
  }

  async chargeAddress(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const verdict = await this.count(this.addressCounter(req));
    if (verdict) this.setHeaders(reply, verdict);
    if (verdict?.over) throw new RateLimitedError(this.limit, verdict.resetSeconds);
  }

  /**
   * Parsing the address took about 2.6 µs of a 164 µs anonymous cached read (`--cpu-prof`), and 5.7
   * µs for an IPv4-mapped IPv6 address: each address is parsed once.
   */
  private addressCounter(req: FastifyRequest): string {
    let counter = this.addressCounters.get(req.ip);
    if (counter === undefined) {
      if (this.addressCounters.size >= ADDRESSES_REMEMBERED) this.addressCounters.clear();
      counter = redisKey(this.config, 'rate', `ip:${clientKey(req.ip)}`);
      this.addressCounters.set(req.ip, counter);
    }
    return counter;
  }

  /** Counts a hit in `counter`'s window; undefined when Redis could not count it. */
  private async count(counter: string): Promise<Verdict | undefined> {
    try {
      const { value, place, asks } = await this.hits.ask(counter);
      const [total, pttl] = value;
      const hits = total - asks + place;
      return { hits, resetSeconds: Math.max(0, Math.ceil(pttl / 1000)), over: hits > this.limit };
    } catch (error) {
      this.unenforced.inc();
      this.logger.debug(`rate limit not enforced: ${(error as Error).message}`);
      return undefined;
    }
  }

  private uncount(counter: string): void {
    this.redis
      .decr(counter)
      .catch((error: Error) => this.logger.debug(`rate count not moved: ${error.message}`));
  }

  private setHeaders(reply: FastifyReply, { hits, resetSeconds }: Verdict): void {
    reply.header('RateLimit-Policy', this.policy);
    reply.header('RateLimit', `"${POLICY}"; r=${Math.max(0, this.limit - hits)}; t=${resetSeconds}`);
  }

  private answer(
    req: FastifyRequest,
    reply: FastifyReply,
    verdict: Verdict | undefined,
  ): FastifyReply | undefined {
    if (!verdict) return undefined;
    if (verdict.over) return this.refuse(req, reply, verdict);
    this.setHeaders(reply, verdict);
    return undefined;
  }

  private refuse(req: FastifyRequest, reply: FastifyReply, verdict: Verdict): FastifyReply {
    this.setHeaders(reply, verdict);
    const error = new RateLimitedError(this.limit, verdict.resetSeconds);
    sendProblem(reply, toProblem(error, requestIdOf(req), this.logger));
    return reply;
  }
}

interface Verdict {
  hits: number;
  resetSeconds: number;
  over: boolean;
}
