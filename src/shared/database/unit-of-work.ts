import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Counter } from 'prom-client';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ResourceBusyError } from '../domain/domain-error';
import { IdempotencyKeyReusedError } from '../idempotency/idempotency.errors';
import { batchAnswers } from '../idempotency/batch-idempotency';
import { currentIdempotentCall, IdempotentReplay, type IdempotentCall } from '../idempotency/idempotent-call';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { MetricsRegistry } from '../observability/metrics';
import { type Callback, collectingCallbacks, runCommitted } from './after-commit';
import { PG, pgCode } from './postgres-errors';

export { afterCommit } from './after-commit';

export interface UnitOfWorkOptions {
  /** Longest wait for any row lock (`SET LOCAL lock_timeout`); LOCK_TIMEOUT_MS by default. */
  lockTimeoutMs?: number;
  /** The error a lock wait that ran out becomes; a generic 503 by default. */
  onLockTimeout?: () => Error;
  /**
   * Whether this transaction makes the effect of the request being handled (the default): then the
   * request's Idempotency-Key is claimed first and its answer recorded last, in this transaction.
   */
  idempotent?: boolean;
}

const RETRYABLE = new Set<string>([PG.serializationFailure, PG.deadlockDetected]);
const MAX_ATTEMPTS = 5;
const logger = new Logger('UnitOfWork');

/**
 * A transaction whose boundary is visible in the code: the work receives the EntityManager and
 * must use it for every query. Serialization failures and deadlocks are retried with jittered backoff.
 *
 * When it runs for a request that carries an Idempotency-Key whose answer the handler declared
 * (`answerWith`), the key's claim is its first statement and the answer its last: the key, the
 * effect and the answer commit together or not at all.
 */
@Injectable()
export class UnitOfWork {
  private readonly retries: Counter<string>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly config: AppConfig,
    metrics: MetricsRegistry,
  ) {
    this.retries = metrics.counter(
      'db_transaction_retries_total',
      'Transactions retried after a serialization failure or a deadlock, by SQLSTATE',
      ['sqlstate'],
    );
  }

  async run<T>(work: (em: EntityManager) => Promise<T>, options: UnitOfWorkOptions = {}): Promise<T> {
    const lockTimeoutMs = Math.max(1, Math.floor(options.lockTimeoutMs ?? this.config.LOCK_TIMEOUT_MS));
    const call = options.idempotent === false ? undefined : currentIdempotentCall();
    for (let attempt = 1; ; attempt++) {
      const callbacks: Callback[] = [];
      try {
        const result = await this.dataSource.transaction((em) =>
          collectingCallbacks(em.queryRunner as QueryRunner, callbacks, async () => {
            await em.query(`SET LOCAL lock_timeout = '${lockTimeoutMs}ms'`);
            if (!call) return work(em);
            await this.claim(em, call);
            const value = await work(em);
            await this.idempotency.recordIn(em, batchAnswers([call], [{ ok: value }]));
            return value;
          }),
        );
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

  private async claim(em: EntityManager, call: IdempotentCall): Promise<void> {
    const outcome = (await this.idempotency.claimIn(em, [call])).get(call);
    if (outcome?.kind === 'replay') throw new IdempotentReplay(outcome.response);
    if (outcome?.kind === 'mismatch') throw new IdempotencyKeyReusedError();
  }
}
