import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../observability/metrics';

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
