import { Inject, Injectable } from '@nestjs/common';
import { Gauge, type Histogram } from 'prom-client';
import { countersOf, MetricsRegistry } from '../../../shared/observability/metrics';
import type { EventRepository } from '../domain/event.repository';
import { EVENT_REPOSITORY } from '../event.tokens';

@Injectable()
export class EventMetrics extends countersOf({
  attempts: [
    'webhook_delivery_attempts_total',
    'Webhook delivery attempts, by outcome: delivered, retrying (failed, another attempt scheduled), failed (for good)',
    ['outcome'],
  ],
  endpointsDisabled: [
    'webhook_endpoints_disabled_total',
    'Webhook endpoints disabled after their deliveries all failed for 5 days',
  ],
}) {
  /** From an event's creation to its delivery to one endpoint. */
  readonly lag: Histogram<string>;

  constructor(registry: MetricsRegistry, @Inject(EVENT_REPOSITORY) events: EventRepository) {
    super(registry);
    if (!registry.getSingleMetric('events_outbox_backlog')) {
      new Gauge({
        name: 'events_outbox_backlog',
        help: 'Events recorded and not yet fanned out to their webhook endpoints (read at each scrape)',
        registers: [registry],
        async collect() {
          // The database down: the scrape shows the last value read instead of failing whole.
          await events.backlog().then(
            (count) => this.set(count),
            () => undefined,
          );
        },
      });
    }
    this.lag = registry.histogram(
      'webhook_delivery_lag_seconds',
      'Time from an event being recorded to its delivery to an endpoint',
      [],
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000, 86400],
    );
  }
}
