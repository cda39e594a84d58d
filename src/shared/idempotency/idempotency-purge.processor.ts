import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { processJobs } from '../queue/process-jobs';
import { IdempotencyStore } from './idempotency.store';

export const IDEMPOTENCY_QUEUE = 'idempotency';
const PURGE_JOB = 'purge-expired';
const PURGE_EVERY_MS = 10 * 60 * 1000;

/** Deletes expired idempotency keys; expired rows are already ignored, this only reclaims space. */
@Injectable()
export class IdempotencyPurgeProcessor implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(IdempotencyPurgeProcessor.name);

  constructor(
    @InjectQueue(IDEMPOTENCY_QUEUE) private readonly queue: Queue,
    private readonly store: IdempotencyStore,
  ) {}

  onModuleInit(): void {
    processJobs(this.queue, PURGE_JOB, () => this.purge(), this.logger);
  }

  onApplicationBootstrap(): void {
    // Not awaited: with Redis down the schedule is registered when it comes back, and start-up
    // does not wait for it. The repeat options identify the job, so every worker adds the same one.
    this.queue
      .add(PURGE_JOB, {}, { repeat: { every: PURGE_EVERY_MS }, removeOnComplete: true, removeOnFail: 100 })
      .catch((error: Error) => this.logger.warn(`purge schedule not registered: ${error.message}`));
  }

  async purge(): Promise<{ deleted: number }> {
    const deleted = await this.store.purgeExpired();
    if (deleted > 0) this.logger.log(`deleted ${deleted} expired idempotency keys`);
    return { deleted };
  }
}
