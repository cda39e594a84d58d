import type { Deadline, DeadlineExpirer, DeadlineScheduler } from '../../../src/shared/queue/deadline';

export interface ScheduledJob {
  jobId: string;
  id: string;
  /** Epoch milliseconds from which the job may run. */
  runAt: number;
}

/**
 * DeadlineScheduler as the Bull one behaves: one delayed job per row under the deadline's
 * deterministic job id, so that scheduling a row again while its job waits changes nothing
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
    for (const id of ids) {
      const jobId = this.deadline.jobId(id);
      if (!this.waiting.has(jobId)) this.waiting.set(jobId, { jobId, id, runAt: this.now() + delayMs });
    }
  }

  /** The jobs waiting, soonest first. */
  jobs(): ScheduledJob[] {
    return [...this.waiting.values()].sort((a, b) => a.runAt - b.runAt);
  }

  /**
   * Runs the jobs that are due, as the deadline's processor does (`expirer.expireOne(id)`), one
   * after another; returns the ids whose row the expirer expired.
   */
  async runDue(expirer: DeadlineExpirer): Promise<string[]> {
    const expired: string[] = [];
    for (const job of this.jobs().filter((j) => j.runAt <= this.now())) {
      this.waiting.delete(job.jobId);
      try {
        if (await expirer.expireOne(job.id)) expired.push(job.id);
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
