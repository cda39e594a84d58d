import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../src/shared/database/after-commit';
import type { SideWrite } from '../../../src/shared/database/side-write';
import { IdempotencyKeyInUseError } from '../../../src/shared/idempotency/idempotency.errors';
import type {
  CachedResponse,
  ClaimOutcome,
  IdempotencyStore,
} from '../../../src/shared/idempotency/idempotency.store';
import type { IdempotentCall, StoredResponse } from '../../../src/shared/idempotency/idempotent-call';
import type { InMemoryDatabase } from './database';

interface KeyRow {
  scope: string;
  key: string;
  fingerprint: string;
  response: StoredResponse | null;
}

const KEYS = 'idempotency_keys';
const idOf = (call: Pick<IdempotentCall, 'scope' | 'key'>) => `${call.scope}\n${call.key}`;

/**
 * IdempotencyStore (a class, bound by class token) over the in-memory database: one row per
 * (scope, key) with the request's fingerprint and its answer, claimed and answered inside the
 * caller's transaction, so that a rollback takes the claim back too.
 *
 * Where it differs: `answersIn` writes the answers at once instead of handing them to the caller's
 * write statement; both happen in the caller's transaction, so they commit or roll back with it
 * the same way. Keys do not expire, there is no Redis replay cache (`cached` finds nothing), and a
 * key claimed but not answered (only possible within the transaction that claimed it, since
 * transactions run one at a time) is IdempotencyKeyInUseError, as a claim that waited too long.
 */
export class InMemoryIdempotencyStore implements Pick<
  IdempotencyStore,
  'claimIn' | 'recordIn' | 'answersIn' | 'recordAlone' | 'cached'
> {
  constructor(private readonly db: InMemoryDatabase) {}

  async claimIn(
    em: EntityManager,
    calls: readonly IdempotentCall[],
  ): Promise<Map<IdempotentCall, ClaimOutcome>> {
    const outcomes = new Map<IdempotentCall, ClaimOutcome>();
    const keys = this.db.table<KeyRow>(KEYS, em);
    for (const call of calls) {
      const row = keys.get(idOf(call));
      if (!row) {
        keys.insert(idOf(call), {
          scope: call.scope,
          key: call.key,
          fingerprint: call.fingerprint,
          response: null,
        });
        outcomes.set(call, { kind: 'claimed' });
      } else {
        outcomes.set(call, settled(call, row));
      }
    }
    return outcomes;
  }

  async recordIn(em: EntityManager, answers: ReadonlyArray<[IdempotentCall, StoredResponse]>): Promise<void> {
    this.answersIn(em, answers);
  }

  answersIn(
    em: EntityManager,
    answers: ReadonlyArray<[IdempotentCall, StoredResponse]>,
  ): SideWrite | undefined {
    if (answers.length === 0) return undefined;
    const keys = this.db.table<KeyRow>(KEYS, em);
    for (const [call, response] of answers) keys.update(idOf(call), (row) => ({ ...row, response }));
    afterCommit(
      em,
      () => {
        for (const [call, response] of answers) call.settled = response;
      },
      { wait: true },
    );
    return {
      cte: () => {
        throw new Error('in-memory idempotency: the answers are stored already, there is no SQL to run');
      },
      params: [],
    };
  }

  async recordAlone(call: IdempotentCall, response: StoredResponse): Promise<ClaimOutcome> {
    return this.db.autocommit((em) => {
      const keys = this.db.table<KeyRow>(KEYS, em);
      const row = keys.get(idOf(call));
      if (row) return settled(call, row);
      keys.insert(idOf(call), { scope: call.scope, key: call.key, fingerprint: call.fingerprint, response });
      call.settled = response;
      return { kind: 'claimed' };
    });
  }

  async cached(): Promise<CachedResponse | null> {
    return null;
  }

  /** The answer stored under a key, as committed. */
  answerOf(scope: string, key: string): StoredResponse | null {
    return this.db.table<KeyRow>(KEYS).get(idOf({ scope, key }))?.response ?? null;
  }
}

function settled(call: IdempotentCall, row: KeyRow): ClaimOutcome {
  if (row.response === null) throw new IdempotencyKeyInUseError();
  if (row.fingerprint !== call.fingerprint) return { kind: 'mismatch' };
  return { kind: 'replay', response: row.response };
}
