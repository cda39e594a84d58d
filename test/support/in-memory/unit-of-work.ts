import type { EntityManager, QueryRunner } from 'typeorm';
import { type Callback, collectingCallbacks, runCommitted } from '../../../src/shared/database/after-commit';
import { PG, pgCode } from '../../../src/shared/database/postgres-errors';
import type { UnitOfWork, UnitOfWorkOptions } from '../../../src/shared/database/unit-of-work';
import { ResourceBusyError } from '../../../src/shared/domain/domain-error';
import { presented } from '../../../src/shared/database/idempotent-request';
import type { InMemoryDatabase } from './database';
import type { InMemoryIdempotencyStore } from './idempotency';

/**
 * UnitOfWork over the in-memory database, bound by class token (`{ provide: UnitOfWork, useValue }`).
 * As the real one: the work gets the transaction's handle; after-commit callbacks run once the work
 * has succeeded and its changes are committed (those registered with `wait` before `run` returns),
 * and none when it throws, which rolls every change back; a lock wait that runs out becomes
 * `onLockTimeout()` or ResourceBusyError; the Idempotency-Key request it is given, if any, is claimed
 * first and answered last, in the same transaction.
 *
 * Not mirrored: the retries on serialization failures and deadlocks, which transactions that run one
 * at a time never meet, and `lockTimeoutMs` (a lock held elsewhere fails at once).
 */
export class InMemoryUnitOfWork implements Pick<UnitOfWork, 'run'> {
  constructor(
    private readonly db: InMemoryDatabase,
    private readonly idempotency: InMemoryIdempotencyStore,
  ) {}

  async run<T>(work: (em: EntityManager) => Promise<T>, options: UnitOfWorkOptions<T> = {}): Promise<T> {
    const request = options.idempotent;
    const callbacks: Callback[] = [];
    let result: T;
    try {
      result = await this.db.transaction((tx) =>
        collectingCallbacks(tx.queryRunner as QueryRunner, callbacks, async () => {
          const em = tx.manager;
          if (!request) return work(em);
          const verdict = (await this.idempotency.claim(em, [request])).get(request);
          if (verdict) throw verdict.error;
          const value = await work(em);
          this.idempotency.answer(em, [[request, presented(request, value)]]);
          return value;
        }),
      );
    } catch (error) {
      if (pgCode(error) === PG.lockNotAvailable) {
        throw options.onLockTimeout ? options.onLockTimeout() : new ResourceBusyError();
      }
      throw error;
    }
    await runCommitted(callbacks);
    return result;
  }
}
