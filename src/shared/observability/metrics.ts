import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Global,
  Header,
  Injectable,
  Module,
  UseGuards,
} from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AppConfig } from '../../config/app-config';
import { bearerToken, Public, sameSecret } from '../http/auth';
import { UnauthorizedError } from '../http/http-errors';
import { ProblemDetails } from '../http/problem-details';
import { METRICS_TOKEN_SCHEME } from '../http/swagger';

/**
 * One registry per application instance (not prom-client's global one), so that several apps in
 * one process, as in tests, do not collide. Modules inject it and register their own metrics.
 */
@Injectable()
export class MetricsRegistry extends Registry {
  constructor() {
    super();
    collectDefaultMetrics({ register: this });
  }

  /** Get-or-create, so that a metric shared by several providers is registered once. */
  counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
    return (
      (this.getSingleMetric(name) as Counter<string>) ??
      new Counter({ name, help, labelNames, registers: [this] })
    );
  }

  histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram<string> {
    return (
      (this.getSingleMetric(name) as Histogram<string>) ??
      new Histogram({ name, help, labelNames, registers: [this], ...(buckets ? { buckets } : {}) })
    );
  }

  /** Seconds spent waiting for a row lock, from 1 ms to the longest LOCK_TIMEOUT_MS worth telling apart. */
  lockWait(name: string, help: string): Histogram<string> {
    return this.histogram(name, help, [], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  }
}

/** A counter by its name, help and label names. */
export type CounterSpec = readonly [name: string, help: string, labelNames?: string[]];

/**
 * The base of a module's metrics provider: one counter per field, described in one table and
 * registered in the application's registry when the provider is made.
 */
export function countersOf<F extends string>(specs: Record<F, CounterSpec>) {
  @Injectable()
  class Counters {
    constructor(registry: MetricsRegistry) {
      for (const [field, [name, help, labelNames]] of Object.entries<CounterSpec>(specs)) {
        (this as Record<string, unknown>)[field] = registry.counter(name, help, labelNames);
      }
    }
  }
  return Counters as new (registry: MetricsRegistry) => { readonly [K in F]: Counter<string> };
}

/** Request counts and latencies, recorded by a Fastify onResponse hook (no per-request closure). */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;

  constructor(registry: MetricsRegistry) {
    this.requests = registry.counter('http_requests_total', 'HTTP requests by method, route and status', [
      'method',
      'route',
      'status',
    ]);
    this.duration = registry.histogram(
      'http_request_duration_seconds',
      'HTTP request latency by method, route and status',
      ['method', 'route', 'status'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
  }

  attach(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (req, reply, done) => {
      // The route template (`/api/wallets/:id`), never the raw path, keeps label cardinality bounded.
      const labels = {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      };
      this.requests.inc(labels);
      this.duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }
}

/** With METRICS_TOKEN set, `/metrics` needs it as a bearer token, compared in constant time. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.METRICS_TOKEN;
    if (expected === undefined) return true;
    const token = bearerToken(context.switchToHttp().getRequest<FastifyRequest>());
    if (token !== undefined && sameSecret(token, expected)) return true;
    throw new UnauthorizedError('Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"');
  }
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Public()
  @UseGuards(MetricsTokenGuard)
  @Get()
  // Public, or the metrics token when METRICS_TOKEN is set: either requirement, as the deployment says.
  @ApiSecurity({})
  @ApiSecurity(METRICS_TOKEN_SCHEME)
  @ApiUnauthorizedResponse({
    description: '`unauthorized`: METRICS_TOKEN is set and the request did not send it as a bearer token',
    type: ProblemDetails,
  })
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'HTTP request counts and latency histograms by route and status, holds, orders, wallet movements and lock ' +
      'waits, idempotency outcomes, payment webhooks by type and outcome, payments, refunds, bookings, process metrics.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, HttpMetrics],
  exports: [MetricsRegistry, HttpMetrics],
})
export class MetricsModule {}
