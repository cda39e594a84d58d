import { ResourceBusyError } from '../domain/domain-error';
import { outsideIdempotentCall } from '../idempotency/idempotent-call';

/** What one request of a batch came to: its own result or its own refusal. */
export type BatchOutcome<R> = { ok: R } | { error: unknown };

interface Pending<C, R> {
  command: C;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Row<C, R> {
  waiting: Array<Pending<C, R>>;
  running: boolean;
}

export interface HotRowBatcherOptions<C> {
  /** The most requests one transaction decides. */
  maxBatch: number;
  /** Requests with the same conflict key never share a batch (one Idempotency-Key, say). */
  conflictKey?: (command: C) => string | undefined;
}

/**
 * Group commit for hot rows. Per row, one batch is in flight at a time; requests that arrive
 * meanwhile join the next batch, which `execute` decides in one transaction, in arrival order,
 * with an outcome per request. A lone request goes at once, so an idle row adds no latency.
 * Correctness does not rest on this: the row lock orders batches of every process.
 */
export class HotRowBatcher<C, R> {
  private readonly rows = new Map<string, Row<C, R>>();

  constructor(
    private readonly execute: (rowId: string, commands: C[]) => Promise<Array<BatchOutcome<R>>>,
    private readonly options: HotRowBatcherOptions<C>,
  ) {}

  submit(rowId: string, command: C): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let row = this.rows.get(rowId);
      if (!row) {
        row = { waiting: [], running: false };
        this.rows.set(rowId, row);
      }
      row.waiting.push({ command, resolve, reject });
      if (!row.running) void this.drain(rowId, row);
    });
  }

  private async drain(rowId: string, row: Row<C, R>): Promise<void> {
    row.running = true;
    try {
      while (row.waiting.length > 0) await this.settle(rowId, this.take(row));
    } finally {
      row.running = false;
      this.rows.delete(rowId);
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

  private async settle(rowId: string, batch: Array<Pending<C, R>>): Promise<void> {
    let outcomes: Array<BatchOutcome<R>>;
    try {
      // A batch serves many requests: it must not claim the key of whichever request started it.
      outcomes = await outsideIdempotentCall(() =>
        this.execute(
          rowId,
          batch.map((p) => p.command),
        ),
      );
    } catch (error) {
      // A refusal of the whole batch (the row lock not had in time) is every request's answer; any
      // other failure (a constraint one request broke) must not fail the others: decide each alone.
      if (batch.length === 1 || error instanceof ResourceBusyError) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      for (const pending of batch) await this.settle(rowId, [pending]);
      return;
    }
    outcomes.forEach((outcome, i) =>
      'ok' in outcome ? batch[i].resolve(outcome.ok) : batch[i].reject(outcome.error),
    );
  }
}
