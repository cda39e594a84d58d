import { Injectable } from '@nestjs/common';
import { countersOf } from '../../../shared/observability/metrics';

export type WebhookOutcome = 'processed' | 'duplicate' | 'pending' | 'ignored' | 'rejected';

@Injectable()
export class PaymentMetrics extends countersOf({
  webhooks: [
    'payment_webhooks_total',
    'Payment webhook deliveries by event type and outcome',
    ['type', 'outcome'],
  ],
  payments: ['payments_total', 'Orders paid, by method', ['method']],
  refunds: ['refunds_total', 'Orders refunded, by payment method', ['method']],
}) {
  webhook(type: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ type, outcome });
  }
}
