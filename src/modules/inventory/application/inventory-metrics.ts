import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../../../shared/observability/metrics';

@Injectable()
export class InventoryMetrics {
  readonly holdsCreated: Counter<string>;
  readonly holdsRefusedForStock: Counter<string>;
  readonly holdsExpired: Counter<string>;
  readonly productLockWait: Histogram<string>;

  constructor(registry: MetricsRegistry) {
    this.holdsCreated = registry.counter('inventory_holds_created_total', 'Holds placed');
    this.holdsRefusedForStock = registry.counter(
      'inventory_holds_refused_insufficient_stock_total',
      'Holds refused because fewer units were available than asked for',
    );
    this.holdsExpired = registry.counter(
      'inventory_holds_expired_total',
      'Holds expired with their units returned',
    );
    this.productLockWait = registry.histogram(
      'inventory_product_lock_wait_seconds',
      'Time spent waiting for a product row lock',
      [],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    );
  }
}
