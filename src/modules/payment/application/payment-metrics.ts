import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsRegistry } from '../../../shared/observability/metrics';

export type WebhookOutcome = 'processed' | 'duplicate' | 'pending' | 'ignored' | 'rejected';

@Injectable()
export class PaymentMetrics {
  readonly webhooks: Counter<string>;
  readonly payments: Counter<string>;
  readonly refunds: Counter<string>;

  constructor(registry: MetricsRegistry) {
    this.webhooks = registry.counter(
      'payment_webhooks_total',
      'Payment webhook deliveries by event type and outcome',
      ['type', 'outcome'],
    );
    this.payments = registry.counter('payments_total', 'Orders paid, by method', ['method']);
    this.refunds = registry.counter('refunds_total', 'Orders refunded, by payment method', ['method']);
  }

  webhook(type: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ type, outcome });
  }
}
