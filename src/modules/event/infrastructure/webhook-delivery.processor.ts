import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { processJobs } from '../../../shared/queue/process-jobs';
import { DeliverWebhooksService } from '../application/deliver-webhooks.service';
import { WEBHOOK_DELIVERY_QUEUE } from '../event.tokens';
import { DELIVERY_JOB, type DeliveryJob } from './webhook-delivery.queue';

/** Runs queued attempts (worker processes only). */
@Injectable()
export class WebhookDeliveryProcessor implements OnModuleInit {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    @InjectQueue(WEBHOOK_DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
    private readonly deliveries: DeliverWebhooksService,
  ) {}

  onModuleInit(): void {
    processJobs(
      this.queue,
      DELIVERY_JOB,
      async (job) => {
        if (typeof job.data.deliveryId === 'string') await this.deliveries.attemptOne(job.data.deliveryId);
      },
      this.logger,
    );
  }
}
