import type { EntityManager } from 'typeorm';
import type { UnitOfWork } from '../database/unit-of-work';
import type { Clock } from '../domain/clock';

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
