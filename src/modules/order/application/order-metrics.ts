import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsRegistry } from '../../../shared/observability/metrics';

@Injectable()
export class OrderMetrics {
  readonly created: Counter<string>;
  readonly cancelled: Counter<string>;
  readonly expired: Counter<string>;

  constructor(registry: MetricsRegistry) {
    this.created = registry.counter('orders_created_total', 'Orders created from holds');
    this.cancelled = registry.counter(
      'orders_cancelled_total',
      'Unpaid orders cancelled before their deadline',
    );
    this.expired = registry.counter(
      'orders_expired_total',
      'Unpaid orders cancelled at their payment deadline',
    );
  }
}
