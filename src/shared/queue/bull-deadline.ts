import { getQueueToken } from '@nestjs/bull';
import { Logger, type OnModuleInit, type Provider, type Type } from '@nestjs/common';
import type { Queue } from 'bull';
import {
  type Deadline,
  type DeadlineExpirer,
  type DeadlineJob,
  type DeadlineScheduler,
  expireRows,
  rowsOf,
} from './deadline';
import { PeriodicSweeper } from './periodic-sweeper';
import { processJobs } from './process-jobs';
import { workerProviders } from './role';

const logger = new Logger('DeadlineProcessor');

/**
 * One delayed job per call, for all its rows: a batch of a dozen holds adds one job to Redis, not a
 * dozen (each a script run, and a hash of the job's fields).
 */
export class BullDeadlineScheduler implements DeadlineScheduler {
  constructor(
    private readonly queue: Queue<DeadlineJob>,
    private readonly deadline: Deadline,
  ) {}

  async schedule(ids: string[], delayMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.queue.add(
      this.deadline.job,
      { ids },
      {
        jobId: this.deadline.jobId(ids[0]),
        delay: delayMs,
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
  }
}

/** Runs each delayed job at its rows' deadline. */
export class DeadlineProcessor implements OnModuleInit {
  constructor(
    private readonly queue: Queue<DeadlineJob>,
    private readonly deadline: Deadline,
    private readonly expirer: DeadlineExpirer,
  ) {}

  onModuleInit(): void {
    processJobs(
      this.queue,
      this.deadline.job,
      async (job) => {
        // A job queued before jobs carried `ids` has one `id`; one with neither is left to the sweeper.
        await expireRows(this.expirer, rowsOf(job.data));
      },
      logger,
    );
  }
}

/** Expires every overdue row that its delayed job missed (lost job, Redis down or flushed). */
export class DeadlineSweeper extends PeriodicSweeper {
  constructor(
    deadline: Deadline,
    private readonly expirer: DeadlineExpirer,
    intervalMs = 1000,
  ) {
    super({ intervalMs, batchSize: deadline.sweepBatch }, `${deadline.queue} sweeper`);
  }

  protected sweep(): Promise<number> {
    return this.expirer.sweep();
  }
}

/** The provider tokens of a deadline's sweeper and processor (worker processes only). */
export const deadlineSweeperToken = (queue: string) => `${DeadlineSweeper.name}:${queue}`;
export const deadlineProcessorToken = (queue: string) => `${DeadlineProcessor.name}:${queue}`;

/**
 * What a module binds for one deadline: the scheduler under `schedulerToken` and, in worker
 * processes, the processor of its delayed jobs and the sweeper that backs them up, both run by
 * `expirer`.
 */
export function deadlineProviders(
  deadline: Deadline,
  schedulerToken: symbol,
  expirer: Type<DeadlineExpirer>,
): Provider[] {
  const queue = getQueueToken(deadline.queue);
  return [
    {
      provide: schedulerToken,
      inject: [queue],
      useFactory: (q: Queue<DeadlineJob>) => new BullDeadlineScheduler(q, deadline),
    },
    ...workerProviders<Provider>(
      {
        provide: deadlineProcessorToken(deadline.queue),
        inject: [queue, expirer],
        useFactory: (q: Queue<DeadlineJob>, e: DeadlineExpirer) => new DeadlineProcessor(q, deadline, e),
      },
      {
        provide: deadlineSweeperToken(deadline.queue),
        inject: [expirer],
        useFactory: (e: DeadlineExpirer) => new DeadlineSweeper(deadline, e),
      },
    ),
  ];
}
