import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { ResourceBusyError } from '../domain/domain-error';
import { PG, pgCode } from './postgres-errors';

export interface UnitOfWorkOptions {
  /** Longest wait for any row lock (`SET LOCAL lock_timeout`), in milliseconds. */
  lockTimeoutMs?: number;
  /** The error a lock wait that ran out becomes; a generic 503 by default. */
  onLockTimeout?: () => Error;
}

export interface AfterCommitOptions {
  /**
   * Make the caller of `run` wait for the callback (a cache invalidation, so that a client reading
   * right after its own write never sees the entry from before it). The default is not to wait:
   * work such as a queue job talks to Redis, which may be down, and must neither delay nor fail a
   * request whose transaction has committed; sweepers and cache TTLs back it up.
   */
  wait?: boolean;
}

interface Callback {
  run: () => unknown;
  wait: boolean;
}

const RETRYABLE = new Set<string>([PG.serializationFailure, PG.deadlockDetected]);
const MAX_ATTEMPTS = 5;
const DEFAULT_LOCK_TIMEOUT_MS = 2000;
const logger = new Logger('UnitOfWork');

/** After-commit callbacks of the transactions under way, by their connection. */
const pending = new WeakMap<QueryRunner, Callback[]>();

/**
 * Runs `callback` once `em`'s unit of work has committed; never if it rolls back or is retried.
 * Any code holding the caller's EntityManager can register, including another module's service.
 */
export function afterCommit(
  em: EntityManager,
  callback: () => unknown,
  options: AfterCommitOptions = {},
): void {
  const callbacks = em.queryRunner && pending.get(em.queryRunner);
  if (!callbacks) throw new Error('afterCommit needs the EntityManager of a running unit of work');
  callbacks.push({ run: callback, wait: options.wait ?? false });
}

/**
 * A transaction whose boundary is visible in the code: the work receives the EntityManager and
 * must use it for every query. Serialization failures and deadlocks are retried with jittered backoff.
 */
@Injectable()
export class UnitOfWork {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(work: (em: EntityManager) => Promise<T>, options: UnitOfWorkOptions = {}): Promise<T> {
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      const callbacks: Callback[] = [];
      try {
        const result = await this.dataSource.transaction(async (em) => {
          const runner = em.queryRunner as QueryRunner;
          pending.set(runner, callbacks);
          try {
            await em.query(`SET LOCAL lock_timeout = '${Math.max(1, Math.floor(lockTimeoutMs))}ms'`);
            return await work(em);
          } finally {
            pending.delete(runner);
          }
        });
        await runCommitted(callbacks);
        return result;
      } catch (error) {
        const code = pgCode(error);
        if (code === PG.lockNotAvailable) {
          throw options.onLockTimeout ? options.onLockTimeout() : new ResourceBusyError();
        }
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          const delay = Math.round(2 ** attempt * 5 * (0.5 + Math.random()));
          logger.warn(`transaction attempt ${attempt} failed with ${code}; retrying in ${delay} ms`);
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw error;
      }
    }
  }
}

/** After-commit work never turns a committed transaction into an error for the caller. */
async function runCommitted(callbacks: Callback[]): Promise<void> {
  const awaited: Array<Promise<unknown>> = [];
  for (const callback of callbacks) {
    const done = Promise.resolve()
      .then(callback.run)
      .catch((error: unknown) => logger.warn(`after-commit work failed: ${(error as Error).message}`));
    if (callback.wait) awaited.push(done);
  }
  await Promise.all(awaited);
}
