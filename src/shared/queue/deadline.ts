/** A kind of row that expires at a deadline (holds at `expires_at`, unpaid orders at `payment_due_at`). */
export interface Deadline {
  /** The Bull queue of its delayed jobs. */
  queue: string;
  /** The job name within the queue. */
  job: string;
  /** Deterministic, so that duplicate jobs for one row collapse. */
  jobId(id: string): string;
  /** Rows one sweep handles at the most. */
  sweepBatch: number;
}

/** What expires the rows of one deadline: the use case behind its processor and sweeper. */
export interface DeadlineExpirer {
  /** Does nothing unless the row is still due, so that a duplicate or early job is harmless. */
  expireOne(id: string): Promise<boolean>;
  /** Expires a batch of overdue rows; returns how many. */
  sweep(): Promise<number>;
}

export interface DeadlineJob {
  id: string;
}

/** Schedules the expiry of rows at their deadlines, once the transaction that made them has committed. */
export interface DeadlineScheduler {
  schedule(ids: string[], delayMs: number): Promise<void>;
}
