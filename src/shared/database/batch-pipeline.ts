import type { EntityManager } from 'typeorm';
import type { Batch, BatchOutcome } from './hot-row-batcher';
import {
  answerOf,
  type IdempotencyKeys,
  type IdempotentRequest,
  type StoredResponse,
} from './idempotent-request';

/** A request of a batch, with the Idempotency-Key request it answers, if any. */
export interface BatchCommand<R> {
  idempotent?: IdempotentRequest<R>;
}

/** What a batch service supplies: its locks, its decisions and its one write. */
export interface BatchSteps<C, R, L> {
  /** Locks the rows the batch decides on (in the one order every transaction takes them). */
  lock(em: EntityManager, commands: readonly C[]): Promise<L>;
  /**
   * Decides each command in arrival order, exactly as if each ran alone, with an outcome each (a
   * DomainError outcome is that request's refusal). May write (a transfer records its ledger entries).
   */
  decide(em: EntityManager, locked: L, commands: readonly C[]): Promise<Array<BatchOutcome<R>>>;
  /** The batch's write statement, which carries the answers (see `withSideWrites`). */
  write(
    em: EntityManager,
    locked: L,
    commands: readonly C[],
    outcomes: ReadonlyArray<BatchOutcome<R>>,
  ): Promise<void>;
}

/**
 * One batch in `em`'s transaction, in the one order that rules out deadlocks and keeps every
 * request's answer with its effect:
 *
 * 1. take: the requests, formed once the batch ahead holds the row (see HotRowBatcher);
 * 2. claim: their Idempotency-Keys, in one statement, before any row lock, so that a claim waits
 *    only for another request of the same key and never for a transaction that waits for our rows;
 * 3. lock: the rows, then let the next batch queue behind this one (`batch.locked()`);
 * 4. decide: the requests the claim left open, in arrival order (a replayed or reused key is not
 *    decided again);
 * 5. answer: the decided requests' answers, queued as a side-write of…
 * 6. write: …the batch's one write statement;
 * and the outcomes, one per request in arrival order.
 */
export async function decideBatch<C extends BatchCommand<R>, R, L>(
  em: EntityManager,
  keys: IdempotencyKeys,
  batch: Batch<C>,
  steps: BatchSteps<C, R, L>,
): Promise<Array<BatchOutcome<R>>> {
  const commands = await batch.take();
  const verdicts = await keys.claim(
    em,
    commands.flatMap((c) => (c.idempotent ? [c.idempotent] : [])),
  );
  const locked = await steps.lock(em, commands);
  batch.locked();

  const verdictOf = (c: C) => (c.idempotent ? verdicts.get(c.idempotent) : undefined);
  const open = commands.filter((c) => !verdictOf(c));
  const decided = open.length > 0 ? await steps.decide(em, locked, open) : [];
  if (decided.length !== open.length) {
    throw new Error(`${open.length} requests were decided with ${decided.length} outcomes`);
  }

  const answers: Array<[IdempotentRequest, StoredResponse]> = [];
  open.forEach((command, i) => {
    const answer = command.idempotent && answerOf(command.idempotent, decided[i]);
    if (answer) answers.push([command.idempotent as IdempotentRequest<R>, answer]);
  });
  keys.answer(em, answers);
  await steps.write(em, locked, open, decided);

  let next = 0;
  return commands.map((c) => verdictOf(c) ?? decided[next++]);
}
