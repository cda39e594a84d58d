import { Process, Processor } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bull';
import { PeriodicSweeper } from '../../../shared/queue/periodic-sweeper';
import { ExpireHoldsService, HOLD_SWEEP_BATCH } from '../application/expire-holds.service';
import { EXPIRE_HOLD_JOB, HOLD_EXPIRY_QUEUE } from '../inventory.tokens';

/** The delayed job enqueued with each hold; fires at its `expires_at`. */
@Processor(HOLD_EXPIRY_QUEUE)
export class HoldExpiryProcessor {
  constructor(private readonly expiry: ExpireHoldsService) {}

  @Process(EXPIRE_HOLD_JOB)
  async expire(job: Job<{ holdId: string }>): Promise<void> {
    await this.expiry.expireOne(job.data.holdId);
  }
}

/** Expires every overdue hold that its delayed job missed (lost job, Redis down or flushed). */
@Injectable()
export class HoldExpirySweeper extends PeriodicSweeper {
  protected readonly intervalMs = 1000;
  protected readonly batchSize = HOLD_SWEEP_BATCH;

  constructor(private readonly expiry: ExpireHoldsService) {
    super();
  }

  protected sweep(): Promise<number> {
    return this.expiry.sweep();
  }
}
