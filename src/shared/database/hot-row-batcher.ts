import { ResourceBusyError } from '../domain/domain-error';

/** What one request of a batch came to: its own result or its own refusal. */
export type BatchOutcome<R> = { ok: R } | { error: unknown };

/**
 * One transaction's share of a hot row's requests, as its executor sees it. The executor opens its
 * transaction, calls `take()` just before it locks the row and `locked()` as soon as it holds the
 * lock, and answers with one outcome per request `take()` gave, in that order. Both may be called
 * again when the transaction is retried; they answer the same.
 */
export interface Batch<C> {
  /** The requests to decide, in arrival order, formed once the batch ahead holds the row. */
  take(): Promise<C[]>;
  /** The row is locked: the next batch may queue on the lock behind this one. */
  locked(): void;
}

/** Requests already formed into a batch, for callers that decide them in a transaction of their own. */
export function fixedBatch<C>(commands: C[]): Batch<C> {
  return { take: () => Promise.resolve(commands), locked: () => undefined };
}

interface Pending<C, R> {
  command: C;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Row<C, R> {
  waiting: Array<Pending<C, R>>;
  inFlight: number;
  /** A batch has started but not yet taken its requests: the next one waits for it to. */
  forming: boolean;
  /** Settles when the newest batch holds the row or has ended. */
  ahead: Promise<void>;
}

export interface HotRowBatcherOptions<C> {
  /** The most requests one transaction decides. */
  maxBatch: number;
  /** Requests with the same conflict key never share a batch (one Idempotency-Key, say). */
  conflictKey?: (command: C) => string | undefined;
  /** Transactions in flight per row; 2 lets the next batch wait on the lock while one commits. */
  maxInFlight?: number;
}

/**
 * Group commit for hot rows. Requests that arrive while a transaction on their row is in flight
 * join the next batch, which `execute` decides in one transaction, in arrival order, with an outcome
 * per request. A lone request goes at once, so an idle row adds no latency.
 *
 * Two transactions per row may be in flight: while one holds the row lock and commits, the next has
 * already begun and queues on the lock in PostgreSQL, where the lock passes at commit without a
 * round trip through this process. The next batch takes its requests only once the one ahead holds
 * the lock, so batches lock the row in the order they were formed, and it takes every request that
 * arrived until then. Correctness does not rest on this: the row lock orders batches of every process.
 */
export class HotRowBatcher<C, R> {
  private readonly rows = new Map<string, Row<C, R>>();
  private readonly maxInFlight: number;

  constructor(
    private readonly execute: (rowId: string, batch: Batch<C>) => Promise<Array<BatchOutcome<R>>>,
    private readonly options: HotRowBatcherOptions<C>,
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  submit(rowId: string, command: C): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let row = this.rows.get(rowId);
      if (!row) {
        row = { waiting: [], inFlight: 0, forming: false, ahead: Promise.resolve() };
        this.rows.set(rowId, row);
      }
      row.waiting.push({ command, resolve, reject });
      this.pump(rowId, row);
    });
  }

  private pump(rowId: string, row: Row<C, R>): void {
    if (row.waiting.length > 0 && !row.forming && row.inFlight < this.maxInFlight) {
      void this.start(rowId, row);
    } else if (row.waiting.length === 0 && row.inFlight === 0) {
      this.rows.delete(rowId);
    }
  }

  private async start(rowId: string, row: Row<C, R>): Promise<void> {
    row.inFlight++;
    row.forming = true;
    const previous = row.ahead;
    let holdsRow!: () => void;
    row.ahead = new Promise<void>((resolve) => (holdsRow = resolve));
    let taken: Promise<Array<Pending<C, R>>> | undefined;
    const takeOnce = () =>
      (taken ??= previous.then(() => {
        const batch = this.take(row);
        row.forming = false;
        this.pump(rowId, row);
        return batch;
      }));
    try {
      await this.settle(rowId, takeOnce, holdsRow);
    } finally {
      holdsRow();
      row.inFlight--;
      this.pump(rowId, row);
    }
  }

  private take(row: Row<C, R>): Array<Pending<C, R>> {
    const batch: Array<Pending<C, R>> = [];
    const seen = new Set<string>();
    const later: Array<Pending<C, R>> = [];
    for (const pending of row.waiting) {
      const key = this.options.conflictKey?.(pending.command);
      if (batch.length >= this.options.maxBatch || (key !== undefined && seen.has(key))) {
        later.push(pending);
        continue;
      }
      if (key !== undefined) seen.add(key);
      batch.push(pending);
    }
    row.waiting = later;
    return batch;
  }

  private async settle(
    rowId: string,
    take: () => Promise<Array<Pending<C, R>>>,
    holdsRow: () => void,
  ): Promise<void> {
    let outcomes: Array<BatchOutcome<R>>;
    try {
      outcomes = await this.execute(rowId, {
        take: async () => (await take()).map((p) => p.command),
        locked: holdsRow,
      });
    } catch (error) {
      holdsRow();
      // A failure before the requests were taken (the database unreachable) is theirs all the same.
      const batch = await take();
      // A refusal of the whole batch (the row lock not had in time) is every request's answer; any
      // other failure (a constraint one request broke) must not fail the others: decide each alone.
      if (batch.length === 1 || error instanceof ResourceBusyError) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      for (const pending of batch)
        await this.settle(
          rowId,
          () => Promise.resolve([pending]),
          () => undefined,
        );
      return;
    }
    const batch = await take();
    if (outcomes.length !== batch.length) {
      const error = new Error(`a batch of ${batch.length} was answered with ${outcomes.length} outcomes`);
      for (const pending of batch) pending.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) =>
      'ok' in outcome ? batch[i].resolve(outcome.ok) : batch[i].reject(outcome.error),
    );
  }
}
