import { Logger } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';

export interface AfterCommitOptions {
  /**
   * Make the caller of `run` wait for the callback (a cache invalidation, so that a client reading
   * right after its own write never sees the entry from before it). The default is not to wait:
   * work such as a queue job talks to Redis, which may be down, and must neither delay nor fail a
   * request whose transaction has committed; sweepers and cache TTLs back it up.
   */
  wait?: boolean;
}

export interface Callback {
  run: () => unknown;
  wait: boolean;
}

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

/** Collects the after-commit callbacks registered with `runner` while `work` runs. */
export async function collectingCallbacks<T>(
  runner: QueryRunner,
  callbacks: Callback[],
  work: () => Promise<T>,
): Promise<T> {
  pending.set(runner, callbacks);
  try {
    return await work();
  } finally {
    pending.delete(runner);
  }
}

/** After-commit work never turns a committed transaction into an error for the caller. */
export async function runCommitted(callbacks: Callback[]): Promise<void> {
  const awaited: Array<Promise<unknown>> = [];
  for (const callback of callbacks) {
    const done = Promise.resolve()
      .then(callback.run)
      .catch((error: unknown) => logger.warn(`after-commit work failed: ${(error as Error).message}`));
    if (callback.wait) awaited.push(done);
  }
  await Promise.all(awaited);
}
