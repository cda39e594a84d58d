import { AsyncLocalStorage } from 'async_hooks';
import { DomainError } from '../domain/domain-error';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * A request that carries an Idempotency-Key, as the interceptor sees it. The unit of work that makes
 * the request's effect claims the key, and records the answer, inside its own transaction: the claim,
 * the effect and the answer commit together or not at all.
 */
export interface IdempotentCall {
  /** The calling account: keys are scoped to it. */
  readonly scope: string;
  readonly key: string;
  /** sha256 of method, path and canonical body. */
  readonly fingerprint: string;
  /** The route's success status. */
  readonly status: number;
  /** The answer a domain error gives (problem+json body and status). */
  readonly problem: (error: DomainError) => StoredResponse;
  /** What is kept of a successful answer: secrets removed. */
  readonly redact: (body: unknown) => unknown;
  /** How the handler turns the use case's result into its body (set by `answerWith`). */
  present?: (result: unknown) => unknown;
  /** The answer recorded for this call, once its transaction has committed. */
  settled?: StoredResponse;
}

const context = new AsyncLocalStorage<IdempotentCall>();
/** Calls inside runIdempotent now. */
let running = 0;

/**
 * Runs a request's handler with its call as the current one.
 *
 * On Node 20 and 22, AsyncLocalStorage carries its stores with async hooks, and once they are on
 * every promise of the process pays for them: a cached product read took 108 µs of CPU instead of
 * 78 after one Idempotency-Key request had run, and kept doing so. Between such requests nothing
 * needs the store, so the last one in flight switches it off, and the next `run` switches it on
 * again, as for the first keyed request after a start. (On Node 24 the store rides on
 * AsyncContextFrame, there are no hooks, and `disable` only clears a store no call is using.)
 */
export async function runIdempotent<T>(call: IdempotentCall, work: () => Promise<T>): Promise<T> {
  running++;
  try {
    return await context.run(call, work);
  } finally {
    if (--running === 0) context.disable();
  }
}

/** The Idempotency-Key request being handled, if any, whose answer is known to its use case. */
export function currentIdempotentCall(): IdempotentCall | undefined {
  const call = context.getStore();
  return call?.present && !call.settled ? call : undefined;
}

/** Work that must not join the current request's idempotency (batches of many requests, jobs). */
export function outsideIdempotentCall<T>(work: () => T): T {
  return context.exit(work);
}

/**
 * Declares how the handler answers, so that the use case's transaction can store the exact answer
 * with its effect: `return answerWith(WalletResponse.of, () => this.debit.execute(command))`.
 */
export async function answerWith<R, B>(present: (result: R) => B, run: () => Promise<R>): Promise<B> {
  const call = context.getStore();
  if (call) call.present = present as (result: unknown) => unknown;
  return present(await run());
}

/** JSON as it goes over the wire: what a stored answer must be to replay byte for byte. */
export function toStoredBody(body: unknown): unknown {
  return body === undefined ? null : JSON.parse(JSON.stringify(body));
}

/**
 * Thrown inside a transaction that found its key already answered: the transaction rolls back and
 * the interceptor replays the stored answer.
 */
export class IdempotentReplay extends Error {
  constructor(readonly response: StoredResponse) {
    super('idempotent replay');
  }
}
