import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { DeliveryJobs } from '../application/ports';
import { WEBHOOK_DELIVERY_QUEUE } from '../event.tokens';

export interface DeliveryJob {
  deliveryId: string;
}

export const DELIVERY_JOB = 'attempt';

/**
 * One job per attempt, delayed until it is due; the job id names the delivery and the attempt, so
 * that duplicates of one attempt collapse. The job only says "look now": the delivery's row decides.
 */
@Injectable()
export class WebhookDeliveryQueue implements DeliveryJobs {
  constructor(@InjectQueue(WEBHOOK_DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>) {}

  async schedule(attempts: Array<{ id: string; attempt: number; delayMs: number }>): Promise<void> {
    await this.queue.addBulk(
      attempts.map(({ id, attempt, delayMs }) => ({
        name: DELIVERY_JOB,
        data: { deliveryId: id },
        opts: {
          jobId: `${id}:${attempt}`,
          delay: Math.max(0, delayMs),
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      })),
    );
  }
}
