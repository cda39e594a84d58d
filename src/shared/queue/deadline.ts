import type { EntityManager } from 'typeorm';
import type { UnitOfWork } from '../database/unit-of-work';
import type { Clock } from '../domain/clock';

/** A kind of row that expires at a deadline (holds at `expires_at`, unpaid orders at `payment_due_at`). */
export interface Deadline {
  /** The Bull queue of its delayed jobs. */
  queue: string;
  /** The job name within the queue. */
  job: string;
  /**
   * The job id of rows scheduled together, from the first row's id: deterministic, so that
   * scheduling them again while their job waits adds nothing.
   */
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

/**
 * One delayed job for the rows that one transaction made, whose deadlines are the same (a batch of
 * holds). `id` is the single row of a job queued before jobs carried `ids`.
 */
export interface DeadlineJob {
  ids?: string[];
  id?: string;
}

/** The rows of a job, in the order they were scheduled. */
export const rowsOf = (job: DeadlineJob): string[] => job.ids ?? (typeof job.id === 'string' ? [job.id] : []);

/**
 * Expires each row of a job in turn, each in its own transaction. A row that fails does not keep the
 * others from expiring; the first failure is thrown once all were tried (the sweeper expires that
 * row later).
 */
export async function expireRows(expirer: DeadlineExpirer, ids: readonly string[]): Promise<string[]> {
  const expired: string[] = [];
  let failure: { error: unknown } | undefined;
  for (const id of ids) {
    try {
      if (await expirer.expireOne(id)) expired.push(id);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
  return expired;
}

/** Schedules the expiry of rows at their deadlines, once the transaction that made them has committed. */
export interface DeadlineScheduler {
  /** One delayed job for all of `ids`, which share their deadline, `delayMs` from now. */
  schedule(ids: string[], delayMs: number): Promise<void>;
}

/** The rows of one deadline as their expirer reads them: locked, in the transaction that expires them. */
export interface OverdueRows<Row> {
  lockById(em: EntityManager, id: string): Promise<Row | null>;
  lockOverdue(em: EntityManager, now: Date, limit: number): Promise<Row[]>;
}

/**
 * A DeadlineExpirer over a unit of work, at the clock's time: `expireOne` locks the row and expires
 * it only if it is still overdue; `sweep` locks up to `sweepBatch` overdue rows and expires them
 * together. What overdue means, and what expiring does, is the kind of row's own.
 */
export abstract class OverdueExpirer<Row> implements DeadlineExpirer {
  protected constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly deadline: Deadline,
    private readonly rows: OverdueRows<Row>,
    /** Whether the row (locked) is still due to expire at `now`. */
    private readonly isOverdue: (row: Row, now: Date) => boolean,
  ) {}

  /** Expires the rows (locked, overdue) in `em`. */
  protected abstract expire(em: EntityManager, rows: Row[], now: Date): Promise<void>;

  async expireOne(id: string): Promise<boolean> {
    return this.uow.run(async (em) => {
      const row = await this.rows.lockById(em, id);
      const now = new Date(this.clock.now());
      if (!row || !this.isOverdue(row, now)) return false;
      await this.expire(em, [row], now);
      return true;
    });
  }

  async sweep(): Promise<number> {
    return this.uow.run(async (em) => {
      const now = new Date(this.clock.now());
      const overdue = await this.rows.lockOverdue(em, now, this.deadline.sweepBatch);
      if (overdue.length > 0) await this.expire(em, overdue, now);
      return overdue.length;
    });
  }
}
