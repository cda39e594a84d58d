import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Counter } from 'prom-client';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ResourceBusyError } from '../domain/domain-error';
import { MetricsRegistry } from '../observability/metrics';
import { type Callback, collectingCallbacks, runCommitted } from './after-commit';
import {
  IDEMPOTENCY_KEYS,
  type IdempotencyKeys,
  type IdempotentRequest,
  presented,
} from './idempotent-request';
import { PG, pgCode } from './postgres-errors';
import { collectingSideWrites, flushSideWrites } from './side-write';

export { afterCommit } from './after-commit';

export interface UnitOfWorkOptions<T = unknown> {
  /** Longest wait for any row lock (`SET LOCAL lock_timeout`); LOCK_TIMEOUT_MS by default. */
  lockTimeoutMs?: number;
  /** The error a lock wait that ran out becomes; a generic 503 by default. */
  onLockTimeout?: () => Error;
  /**
   * The Idempotency-Key request whose effect this transaction makes: its key is claimed first and
   * its answer recorded last, in this transaction.
   */
  idempotent?: IdempotentRequest<T>;
}

const RETRYABLE = new Set<string>([PG.serializationFailure, PG.deadlockDetected]);
const MAX_ATTEMPTS = 5;
const logger = new Logger('UnitOfWork');

/**
 * A transaction whose boundary is visible in the code: the work receives the EntityManager and
 * must use it for every query. Serialization failures and deadlocks are retried with jittered backoff.
 *
 * When it is given the Idempotency-Key request it answers (`idempotent`), the key's claim is its
 * first statement and the answer its last: the key, the effect and the answer commit together or
 * not at all. Side-writes no statement carried (`rideAlong`) run just before the commit.
 */
@Injectable()
export class UnitOfWork {
  private readonly retries: Counter<string>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDEMPOTENCY_KEYS) private readonly keys: IdempotencyKeys,
    private readonly config: AppConfig,
    metrics: MetricsRegistry,
  ) {
    this.retries = metrics.counter(
      'db_transaction_retries_total',
      'Transactions retried after a serialization failure or a deadlock, by SQLSTATE',
      ['sqlstate'],
    );
  }

  async run<T>(work: (em: EntityManager) => Promise<T>, options: UnitOfWorkOptions<T> = {}): Promise<T> {
    const lockTimeoutMs = Math.max(1, Math.floor(options.lockTimeoutMs ?? this.config.LOCK_TIMEOUT_MS));
    const request = options.idempotent;
    for (let attempt = 1; ; attempt++) {
      const callbacks: Callback[] = [];
      try {
        const result = await this.dataSource.transaction((em) => {
          const runner = em.queryRunner as QueryRunner;
          return collectingCallbacks(runner, callbacks, () =>
            collectingSideWrites(runner, async () => {
              await em.query(`SET LOCAL lock_timeout = '${lockTimeoutMs}ms'`);
              if (request) await this.claim(em, request);
              const value = await work(em);
              if (request) this.keys.answer(em, [[request, presented(request, value)]]);
              await flushSideWrites(em);
              return value;
            }),
          );
        });
        await runCommitted(callbacks);
        return result;
      } catch (error) {
        const code = pgCode(error);
        if (code === PG.lockNotAvailable) {
          throw options.onLockTimeout ? options.onLockTimeout() : new ResourceBusyError();
        }
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          this.retries.inc({ sqlstate: code });
          const delay = Math.round(2 ** attempt * 5 * (0.5 + Math.random()));
          logger.warn(`transaction attempt ${attempt} failed with ${code}; retrying in ${delay} ms`);
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw error;
      }
    }
  }

  private async claim(em: EntityManager, request: IdempotentRequest<never>): Promise<void> {
    const verdict = (await this.keys.claim(em, [request])).get(request);
    if (verdict) throw verdict.error;
  }
}
