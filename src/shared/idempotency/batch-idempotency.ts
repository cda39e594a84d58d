import type { BatchOutcome } from '../database/hot-row-batcher';
import { DomainError } from '../domain/domain-error';
import { IdempotencyKeyReusedError } from './idempotency.errors';
import type { ClaimOutcome } from './idempotency.store';
import { type IdempotentCall, IdempotentReplay, type StoredResponse, toStoredBody } from './idempotent-call';

/** Requests of one Idempotency-Key never share a batch: the second must see the first's answer. */
export const byIdempotencyKey = (request: { call?: IdempotentCall }): string | undefined =>
  request.call ? `${request.call.scope}\n${request.call.key}` : undefined;

/**
 * What a request of a batch comes to before it is decided: the replay of its key's first answer, or
 * a refusal of a key reused for another request; undefined when the request is to be decided.
 */
export function claimVerdict(claim: ClaimOutcome | undefined): BatchOutcome<never> | undefined {
  if (claim?.kind === 'replay') return { error: new IdempotentReplay(claim.response) };
  if (claim?.kind === 'mismatch') return { error: new IdempotencyKeyReusedError() };
  return undefined;
}

/**
 * The answers to store for the requests of a batch that carry an Idempotency-Key: a result as the
 * handler presents it, a domain refusal as its problem document. Replays and reused keys store nothing.
 */
export function batchAnswers<R>(
  calls: ReadonlyArray<IdempotentCall | undefined>,
  outcomes: ReadonlyArray<BatchOutcome<R>>,
): Array<[IdempotentCall, StoredResponse]> {
  const stored: Array<[IdempotentCall, StoredResponse]> = [];
  calls.forEach((call, i) => {
    const outcome = outcomes[i];
    if (!call) return;
    if ('ok' in outcome) {
      const body = call.redact(toStoredBody((call.present as (r: unknown) => unknown)(outcome.ok)));
      stored.push([call, { status: call.status, body }]);
    } else if (
      outcome.error instanceof DomainError &&
      !(outcome.error instanceof IdempotencyKeyReusedError)
    ) {
      stored.push([call, call.problem(outcome.error)]);
    }
  });
  return stored;
}
