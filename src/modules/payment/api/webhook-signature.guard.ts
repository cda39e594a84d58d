import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../../config/app-config';
import { isSafeText } from '../../../shared/http/hostile-input';
import { ValidationFailedError } from '../../../shared/http/http-errors';
import { countFailedSignature } from '../../../shared/http/rate-limit';
import { PaymentMetrics } from '../application/payment-metrics';
import { InvalidWebhookSignatureError } from '../domain/payment.errors';
import { WebhookSignature } from '../domain/webhook-signature';

/** What the webhook events table's key column holds. */
export const MAX_WEBHOOK_ID_LENGTH = 255;

/**
 * Runs before the body is validated, so that an unsigned or forged request is a 401 whatever it
 * contains, and nothing about it is stored. A validly signed webhook is never rate-limited; one
 * whose signature fails counts against its address like any other request, and is a 429 once the
 * address is over its limit.
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest & { rawBody?: Buffer }>();
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
      await countFailedSignature(req, http.getResponse<FastifyReply>());
      throw new InvalidWebhookSignatureError(`Webhook signature rejected: ${problem}`);
    }
    // Checked once the sender is known to hold the secret: the id is stored as the event's key.
    const id = header('webhook-id') ?? '';
    if (id.length > MAX_WEBHOOK_ID_LENGTH || !isSafeText(id)) {
      throw new ValidationFailedError([
        { field: 'webhook-id', message: `must be 1 to ${MAX_WEBHOOK_ID_LENGTH} characters` },
      ]);
    }
    return true;
  }
}
