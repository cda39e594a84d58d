import { Process, Processor } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bull';
import { PeriodicSweeper } from '../../../shared/queue/periodic-sweeper';
import { ExpireOrdersService, ORDER_SWEEP_BATCH } from '../application/expire-orders.service';
import { EXPIRE_ORDER_JOB, ORDER_EXPIRY_QUEUE } from '../order.tokens';

/** The delayed job enqueued with each order; fires at its `payment_due_at`. */
@Processor(ORDER_EXPIRY_QUEUE)
export class OrderExpiryProcessor {
  constructor(private readonly expiry: ExpireOrdersService) {}

  @Process(EXPIRE_ORDER_JOB)
  async expire(job: Job<{ orderId: string }>): Promise<void> {
    await this.expiry.expireOne(job.data.orderId);
  }
}

/** Cancels every overdue unpaid order that its delayed job missed (lost job, Redis down or flushed). */
@Injectable()
export class OrderExpirySweeper extends PeriodicSweeper {
  protected readonly intervalMs = 1000;
  protected readonly batchSize = ORDER_SWEEP_BATCH;

  constructor(private readonly expiry: ExpireOrdersService) {
    super();
  }

  protected sweep(): Promise<number> {
    return this.expiry.sweep();
  }
}
