import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../../../config/app-config';
import { PaymentMetrics } from '../application/payment-metrics';
import { InvalidWebhookSignatureError } from '../domain/payment.errors';
import { WebhookSignature } from '../domain/webhook-signature';

/**
 * Runs before the body is validated, so that an unsigned or forged request is a 401 whatever it
 * contains, and nothing about it is stored.
 */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  private readonly signature: WebhookSignature;

  constructor(
    config: AppConfig,
    private readonly metrics: PaymentMetrics,
  ) {
    this.signature = new WebhookSignature(config.WEBHOOK_SECRET);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request & { rawBody?: Buffer }>();
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(' ') : value;
    };
    const problem = this.signature.verify(req.rawBody ?? Buffer.alloc(0), {
      'webhook-id': header('webhook-id'),
      'webhook-timestamp': header('webhook-timestamp'),
      'webhook-signature': header('webhook-signature'),
    });
    if (problem) {
      this.metrics.webhook('unknown', 'rejected');
      throw new InvalidWebhookSignatureError(`Webhook signature rejected: ${problem}`);
    }
    return true;
  }
}
