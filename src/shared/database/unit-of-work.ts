import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ResourceBusyError } from '../domain/domain-error';
import { PG, pgCode } from './postgres-errors';

export interface UnitOfWorkOptions {
  /** Longest wait for any row lock (`SET LOCAL lock_timeout`), in milliseconds. */
  lockTimeoutMs?: number;
  /** The error a lock wait that ran out becomes; a generic 503 by default. */
  onLockTimeout?: () => Error;
}

const RETRYABLE = new Set<string>([PG.serializationFailure, PG.deadlockDetected]);
const MAX_ATTEMPTS = 5;
const DEFAULT_LOCK_TIMEOUT_MS = 2000;

/**
 * A transaction whose boundary is visible in the code: the work receives the EntityManager and
 * must use it for every query. Serialization failures and deadlocks are retried with jittered backoff.
 * Callbacks registered through `afterCommit` on the context run only after a successful commit.
 */
@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger(UnitOfWork.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(
    work: (em: EntityManager, tx: TransactionContext) => Promise<T>,
    options: UnitOfWorkOptions = {},
  ): Promise<T> {
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      const tx = new TransactionContext();
      try {
        const result = await this.dataSource.transaction(async (em) => {
          await em.query(`SET LOCAL lock_timeout = '${Math.max(1, Math.floor(lockTimeoutMs))}ms'`);
          return work(em, tx);
        });
        tx.committed();
        return result;
      } catch (error) {
        const code = pgCode(error);
        if (code === PG.lockNotAvailable) {
          throw options.onLockTimeout ? options.onLockTimeout() : new ResourceBusyError();
        }
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          const delay = Math.round(2 ** attempt * 5 * (0.5 + Math.random()));
          this.logger.warn(`transaction attempt ${attempt} failed with ${code}; retrying in ${delay} ms`);
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw error;
      }
    }
  }
}

/** Per-transaction hooks. A failed or retried attempt discards its callbacks. */
export class TransactionContext {
  private readonly callbacks: Array<() => unknown> = [];
  private readonly logger = new Logger('AfterCommit');

  afterCommit(callback: () => unknown): void {
    this.callbacks.push(callback);
  }

  /**
   * Runs the callbacks without waiting for them: after-commit work (a queue job, a cache
   * invalidation) talks to Redis, which may be down, and must neither delay nor fail a request whose
   * transaction has committed. What it would have done is backed up by sweepers and cache TTLs.
   */
  committed(): void {
    for (const callback of this.callbacks) {
      Promise.resolve()
        .then(callback)
        .catch((error: unknown) => this.logger.warn(`after-commit work failed: ${(error as Error).message}`));
    }
  }
}
