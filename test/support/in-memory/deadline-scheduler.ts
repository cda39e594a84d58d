import {
  type Deadline,
  type DeadlineExpirer,
  type DeadlineScheduler,
  expireRows,
} from '../../../src/shared/queue/deadline';

export interface ScheduledJob {
  jobId: string;
  ids: string[];
  /** Epoch milliseconds from which the job may run. */
  runAt: number;
}

/**
 * DeadlineScheduler as the Bull one behaves: one delayed job per call, for all its rows, under the
 * deadline's deterministic job id of the first, so that scheduling them again while their job waits
 * changes nothing
 * (Bull ignores an add whose job id exists); a job that ran is removed (removeOnComplete), one whose
 * run threw is kept among the failed.
 */
export class InMemoryDeadlineScheduler implements DeadlineScheduler {
  private readonly waiting = new Map<string, ScheduledJob>();
  readonly failed: Array<ScheduledJob & { error: unknown }> = [];

  constructor(
    private readonly deadline: Deadline,
    private readonly now: () => number,
  ) {}

  async schedule(ids: string[], delayMs: number): Promise<void> {
    if (ids.length === 0) return;
    const jobId = this.deadline.jobId(ids[0]);
    if (!this.waiting.has(jobId)) this.waiting.set(jobId, { jobId, ids, runAt: this.now() + delayMs });
  }

  /** The jobs waiting, soonest first. */
  jobs(): ScheduledJob[] {
    return [...this.waiting.values()].sort((a, b) => a.runAt - b.runAt);
  }

  /**
   * Runs the jobs that are due, one after another, as the deadline's processor does (`expireRows`);
   * returns the ids whose row the expirer expired.
   */
  async runDue(expirer: DeadlineExpirer): Promise<string[]> {
    const expired: string[] = [];
    for (const job of this.jobs().filter((j) => j.runAt <= this.now())) {
      this.waiting.delete(job.jobId);
      try {
        expired.push(...(await expireRows(expirer, job.ids)));
      } catch (error) {
        this.failed.push({ ...job, error });
      }
    }
    return expired;
  }

  /** Loses every waiting job, as a Redis that lost its data does. */
  lose(): void {
    this.waiting.clear();
  }
}
