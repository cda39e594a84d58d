import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../src/shared/database/after-commit';
import type {
  ClaimVerdict,
  IdempotencyKeys,
  IdempotentRequest,
  StoredResponse,
} from '../../../src/shared/database/idempotent-request';
import {
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  IdempotentReplay,
} from '../../../src/shared/idempotency/idempotency.errors';
import type { InMemoryDatabase } from './database';

interface KeyRow {
  scope: string;
  key: string;
  fingerprint: string;
  response: StoredResponse | null;
}

const KEYS = 'idempotency_keys';
const idOf = (request: Pick<IdempotentRequest, 'scope' | 'key'>) => `${request.scope}\n${request.key}`;

/**
 * The Idempotency-Key table as a transaction sees it (IDEMPOTENCY_KEYS) over the in-memory
 * database: one row per (scope, key) with the request's fingerprint and its answer, claimed and
 * answered inside the caller's transaction, so that a rollback takes the claim back too.
 *
 * Where it differs: `answer` writes the answers at once instead of queueing them for the caller's
 * write statement; both happen in the caller's transaction, so they commit or roll back with it the
 * same way. Keys do not expire, there is no Redis replay cache, and a key claimed but not answered
 * (only possible within the transaction that claimed it, since transactions run one at a time) is
 * IdempotencyKeyInUseError, as a claim that waited too long.
 */
export class InMemoryIdempotencyStore implements IdempotencyKeys {
  constructor(private readonly db: InMemoryDatabase) {}

  async claim(
    em: EntityManager,
    requests: readonly IdempotentRequest[],
  ): Promise<Map<IdempotentRequest, ClaimVerdict>> {
    const verdicts = new Map<IdempotentRequest, ClaimVerdict>();
    const keys = this.db.table<KeyRow>(KEYS, em);
    for (const request of requests) {
      const row = keys.get(idOf(request));
      if (!row) {
        keys.insert(idOf(request), {
          scope: request.scope,
          key: request.key,
          fingerprint: request.fingerprint,
          response: null,
        });
        verdicts.set(request, undefined);
      } else {
        if (row.response === null) throw new IdempotencyKeyInUseError();
        verdicts.set(request, {
          error:
            row.fingerprint === request.fingerprint
              ? new IdempotentReplay(row.response)
              : new IdempotencyKeyReusedError(),
        });
      }
    }
    return verdicts;
  }

  answer(em: EntityManager, answers: ReadonlyArray<[IdempotentRequest, StoredResponse]>): void {
    if (answers.length === 0) return;
    const keys = this.db.table<KeyRow>(KEYS, em);
    for (const [request, response] of answers) keys.update(idOf(request), (row) => ({ ...row, response }));
    afterCommit(
      em,
      () => {
        for (const [request, response] of answers) request.settled = response;
      },
      { wait: true },
    );
  }

  /** The answer stored under a key, as committed. */
  answerOf(scope: string, key: string): StoredResponse | null {
    return this.db.table<KeyRow>(KEYS).get(idOf({ scope, key }))?.response ?? null;
  }
}
