import { Injectable } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { countersOf, MetricsRegistry } from '../../../shared/observability/metrics';

@Injectable()
export class InventoryMetrics extends countersOf({
  holdsCreated: ['inventory_holds_created_total', 'Holds placed'],
  holdsRefusedForStock: [
    'inventory_holds_refused_insufficient_stock_total',
    'Holds refused because fewer units were available than asked for',
  ],
  holdsExpired: ['inventory_holds_expired_total', 'Holds expired with their units returned'],
}) {
  readonly productLockWait: Histogram<string>;

  constructor(registry: MetricsRegistry) {
    super(registry);
    this.productLockWait = registry.lockWait(
      'inventory_product_lock_wait_seconds',
      'Time spent waiting for a product row lock',
    );
  }
}
