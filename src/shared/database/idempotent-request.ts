import type { EntityManager } from 'typeorm';
import { DomainError } from '../domain/domain-error';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * A request that carries an Idempotency-Key, handed by its controller to its use case as a
 * parameter, and by the use case to the unit of work (or the batch) that makes its effect: that
 * transaction claims the key first and records the answer last, so the claim, the effect and the
 * answer commit together or not at all.
 */
export interface IdempotentRequest<R = never> {
  /** The calling account: keys are scoped to it. */
  readonly scope: string;
  readonly key: string;
  /** sha256 of method, path and canonical body. */
  readonly fingerprint: string;
  /** The route's success status. */
  readonly status: number;
  /** How the handler turns the use case's result into its body. */
  readonly present: (result: R) => unknown;
  /** The answer a domain error gives (problem+json body and status). */
  readonly problem: (error: DomainError) => StoredResponse;
  /** What is kept of a successful answer: secrets removed. */
  readonly redact: (body: unknown) => unknown;
  /** The answer recorded for this request, once its transaction has committed. */
  settled?: StoredResponse;
}

/**
 * What a claim found for a request: nothing (undefined: the key is this transaction's now, decide
 * the request), or the error the request comes to without being decided (the replay of its key's
 * first answer, or a refusal of a key reused for another request).
 */
export type ClaimVerdict = { error: Error } | undefined;

/**
 * The Idempotency-Key table as a transaction sees it (implemented by shared/idempotency). Keys are
 * always claimed before any row is locked, in one order, so that a claim never waits on a
 * transaction that waits for a row this one holds.
 */
export interface IdempotencyKeys {
  /** Claims every request's key in `em`'s transaction in one statement; keys must differ. */
  claim(
    em: EntityManager,
    requests: readonly IdempotentRequest[],
  ): Promise<Map<IdempotentRequest, ClaimVerdict>>;
  /**
   * Records the answers in `em`'s transaction, as a side-write its next write statement carries
   * (else alone, before commit); once committed, each request is `settled` and its answer cached.
   */
  answer(em: EntityManager, answers: ReadonlyArray<[IdempotentRequest, StoredResponse]>): void;
}

export const IDEMPOTENCY_KEYS = Symbol('IdempotencyKeys');

/** Requests of one Idempotency-Key never share a batch: the second must see the first's answer. */
export const byIdempotencyKey = (command: { idempotent?: IdempotentRequest }): string | undefined =>
  command.idempotent ? `${command.idempotent.scope}\n${command.idempotent.key}` : undefined;

/** JSON as it goes over the wire: what a stored answer must be to replay byte for byte. */
export function toStoredBody(body: unknown): unknown {
  return body === undefined ? null : JSON.parse(JSON.stringify(body));
}

/**
 * The answer to store for a decided request: a result as its handler presents it, a domain refusal
 * as its problem document; nothing for any other failure (a 5xx leaves the key free).
 */
export function answerOf<R>(
  request: IdempotentRequest<R>,
  outcome: { ok: R } | { error: unknown },
): StoredResponse | undefined {
  if ('ok' in outcome) return presented(request, outcome.ok);
  return outcome.error instanceof DomainError ? request.problem(outcome.error) : undefined;
}

/** The answer to store for a request's result: as its handler presents it, secrets removed. */
export function presented<R>(request: IdempotentRequest<R>, result: R): StoredResponse {
  return { status: request.status, body: request.redact(toStoredBody(request.present(result))) };
}
