import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'crypto';
import type Redis from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { afterCommit } from '../database/after-commit';
import type {
  ClaimVerdict,
  IdempotencyKeys,
  IdempotentRequest,
  StoredResponse,
} from '../database/idempotent-request';
import { PG, pgCode } from '../database/postgres-errors';
import { queryPrepared } from '../database/prepared-statement';
import { rideAlong } from '../database/side-write';
import { CLOCK, type Clock } from '../domain/clock';
import { REDIS } from '../redis/redis.module';
import { redisKey } from '../redis/redis-keys';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError, IdempotentReplay } from './idempotency.errors';

/** What the store needs of a request: its key, the fingerprint it is checked by, and its outcome. */
type Keyed = Pick<IdempotentRequest, 'scope' | 'key' | 'fingerprint' | 'settled'>;

/** What a key's claim found: the key is ours now, or it answered before (the same or another request). */
export type ClaimOutcome =
  { kind: 'claimed' } | { kind: 'replay'; response: StoredResponse } | { kind: 'mismatch' };

export interface CachedResponse extends StoredResponse {
  fingerprint: string;
}

/** A cached answer as Redis holds it: until when, by the clock, it stands for its key's row. */
interface CacheEntry extends CachedResponse {
  expiresAt: number;
}

interface KeyRow {
  account_id: string;
  key: string;
  fingerprint: string;
  response_status: number | null;
  response_body: unknown;
}

const PURGE_BATCH = 5000;

// An expired key counts as absent: the claim takes it over in the same statement. "Now" ($5) is the
// service's clock, not the database's, so that a test clock expires keys too.
const CLAIM = `
  INSERT INTO idempotency_keys AS k (account_id, key, fingerprint, created_at, expires_at)
  SELECT c.scope, c.key, c.fingerprint, $5::timestamptz, $5::timestamptz + make_interval(secs => $4)
    FROM unnest($1::uuid[], $2::varchar[], $3::char(64)[]) AS c(scope, key, fingerprint)
   -- One order for every transaction's claims, so that two that claim the same keys wait, not deadlock.
   ORDER BY c.scope, c.key
  ON CONFLICT (account_id, key) DO UPDATE
     SET fingerprint = EXCLUDED.fingerprint, response_status = NULL, response_body = NULL,
         created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
   WHERE k.expires_at <= $5::timestamptz
  RETURNING account_id, key`;

/**
 * Idempotency keys in PostgreSQL, the authority: one row per (account, key) with the request's
 * fingerprint and its answer. A key is claimed inside the transaction that makes the request's effect
 * and answered before that transaction commits, so a committed row always holds its answer and a
 * request that dies leaves nothing behind. A duplicate that arrives meanwhile waits on the primary
 * key for the first transaction (bounded by its lock timeout), then replays its answer.
 * Completed answers are also cached in Redis for fast replays; every Redis failure falls back to
 * PostgreSQL.
 */
@Injectable()
export class IdempotencyStore implements IdempotencyKeys {
  private readonly logger = new Logger(IdempotencyStore.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Claims every request's key in `em`'s transaction, in one statement; the keys of distinct
   * requests must differ. A key answered before is an IdempotentReplay of its answer, or
   * IdempotencyKeyReusedError for another request. Throws IdempotencyKeyInUseError when a key's first
   * request did not finish within the lock timeout.
   */
  async claim(
    em: EntityManager,
    requests: readonly IdempotentRequest[],
  ): Promise<Map<IdempotentRequest, ClaimVerdict>> {
    const verdicts = new Map<IdempotentRequest, ClaimVerdict>();
    for (const [request, outcome] of await this.claimAll(em, requests)) {
      if (outcome.kind === 'replay') verdicts.set(request, { error: new IdempotentReplay(outcome.response) });
      else if (outcome.kind === 'mismatch') verdicts.set(request, { error: new IdempotencyKeyReusedError() });
      else verdicts.set(request, undefined);
    }
    return verdicts;
  }

  private async claimAll(
    em: EntityManager,
    calls: readonly IdempotentRequest[],
  ): Promise<Map<IdempotentRequest, ClaimOutcome>> {
    const outcomes = new Map<IdempotentRequest, ClaimOutcome>();
    if (calls.length === 0) return outcomes;
    let claimed: Array<{ account_id: string; key: string }>;
    try {
      claimed = await queryPrepared(em, CLAIM, [
        calls.map((c) => c.scope),
        calls.map((c) => c.key),
        calls.map((c) => c.fingerprint),
        this.config.IDEMPOTENCY_TTL_SECONDS,
        new Date(this.clock.now()),
      ]);
    } catch (error) {
      if (pgCode(error) === PG.lockNotAvailable) throw new IdempotencyKeyInUseError();
      throw error;
    }
    const ours = new Set(claimed.map((row) => `${row.account_id}\n${row.key}`));
    const taken = calls.filter((c) => !ours.has(`${c.scope}\n${c.key}`));
    for (const call of calls) if (!taken.includes(call)) outcomes.set(call, { kind: 'claimed' });
    if (taken.length === 0) return outcomes;

    // The first request of each of these keys has committed (the claim waited for it): its answer is there.
    const rows: KeyRow[] = await queryPrepared(
      em,
      `SELECT k.account_id, k.key, k.fingerprint, k.response_status, k.response_body
         FROM idempotency_keys k
         JOIN unnest($1::uuid[], $2::varchar[]) AS c(scope, key) ON k.account_id = c.scope AND k.key = c.key`,
      [taken.map((c) => c.scope), taken.map((c) => c.key)],
    );
    for (const call of taken) {
      const row = rows.find((r) => r.account_id === call.scope && r.key === call.key);
      outcomes.set(call, settledOutcome(call, row));
    }
    return outcomes;
  }

  /**
   * Records the answers of requests claimed in `em`'s transaction: queued as a side-write that the
   * transaction's next write statement carries (else the unit of work runs it alone before commit).
   * Once committed, each request is `settled` and its answer cached for fast replays.
   */
  answer(em: EntityManager, answers: ReadonlyArray<[IdempotentRequest, StoredResponse]>): void {
    if (answers.length === 0) return;
    rideAlong(em, {
      name: 'idempotency_answers',
      sql: `UPDATE idempotency_keys k
               SET response_status = a.status, response_body = a.body
              FROM unnest($scopes::uuid[], $keys::varchar[], $statuses::smallint[], $bodies::jsonb[])
                AS a(scope, key, status, body)
             WHERE k.account_id = a.scope AND k.key = a.key`,
      params: {
        scopes: answers.map(([r]) => r.scope),
        keys: answers.map(([r]) => r.key),
        statuses: answers.map(([, a]) => a.status),
        bodies: answers.map(([, a]) => JSON.stringify(a.body ?? null)),
      },
    });
    afterCommit(
      em,
      () => {
        for (const [request, response] of answers) {
          request.settled = response;
          this.cache(request, response);
        }
      },
      { wait: true },
    );
  }

  /**
   * Claims and answers a call in one statement of its own: for an answer that no transaction of the
   * request recorded (a refusal whose transaction rolled back, a handler without a unit of work).
   * Returns the first answer when another request with the key answered before.
   */
  async recordAlone(call: Keyed, response: StoredResponse): Promise<ClaimOutcome> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys AS k
         (account_id, key, fingerprint, response_status, response_body, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $7::timestamptz, $7::timestamptz + make_interval(secs => $6))
       ON CONFLICT (account_id, key) DO UPDATE
          SET fingerprint = EXCLUDED.fingerprint, response_status = EXCLUDED.response_status,
              response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at,
              expires_at = EXCLUDED.expires_at
        WHERE k.expires_at <= $7::timestamptz
       RETURNING 1`,
      [
        call.scope,
        call.key,
        call.fingerprint,
        response.status,
        JSON.stringify(response.body ?? null),
        this.config.IDEMPOTENCY_TTL_SECONDS,
        new Date(this.clock.now()),
      ],
    );
    if (rows.length === 1) {
      call.settled = response;
      this.cache(call, response);
      return { kind: 'claimed' };
    }
    const existing: KeyRow[] = await this.dataSource.query(
      `SELECT account_id, key, fingerprint, response_status, response_body
         FROM idempotency_keys WHERE account_id = $1 AND key = $2`,
      [call.scope, call.key],
    );
    return settledOutcome(call, existing[0]);
  }

  /**
   * A completed answer from the Redis replay cache, or null (also when Redis is unavailable, and
   * once the key has expired by the clock).
   */
  async cached(call: Pick<Keyed, 'scope' | 'key'>): Promise<CachedResponse | null> {
    try {
      const value = await this.redis.get(this.cacheKey(call.scope, call.key));
      if (!value) return null;
      const { expiresAt, ...cached } = JSON.parse(value) as CacheEntry;
      return expiresAt > this.clock.now() ? cached : null;
    } catch (error) {
      this.logger.debug(`replay cache unavailable: ${(error as Error).message}`);
      return null;
    }
  }

  /** Deletes expired keys in batches; returns how many. */
  async purgeExpired(): Promise<number> {
    const now = new Date(this.clock.now());
    let total = 0;
    for (;;) {
      const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
        `WITH gone AS (
           DELETE FROM idempotency_keys WHERE ctid IN (
             SELECT ctid FROM idempotency_keys WHERE expires_at <= $1::timestamptz LIMIT ${PURGE_BATCH})
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [now],
      );
      total += n;
      if (n < PURGE_BATCH) return total;
    }
  }

  private cache(call: Keyed, response: StoredResponse): void {
    const ttlMs = this.config.IDEMPOTENCY_TTL_SECONDS * 1000;
    // As long as the row lives (by the clock, which a test moves; Redis's own expiry is real time):
    // a replay after that runs again, as the row's expiry says.
    const cached: CacheEntry = {
      fingerprint: call.fingerprint,
      ...response,
      expiresAt: this.clock.now() + ttlMs,
    };
    this.redis
      .set(
        this.cacheKey(call.scope, call.key),
        JSON.stringify(cached),
        'EX',
        this.config.IDEMPOTENCY_TTL_SECONDS,
      )
      .catch((error: Error) => this.logger.debug(`replay cache not written: ${error.message}`));
  }

  private cacheKey(scope: string, key: string): string {
    const digest = createHash('sha256').update(key, 'utf8').digest('hex');
    return redisKey(this.config, 'idem', scope, digest);
  }
}

function settledOutcome(call: Keyed, row: KeyRow | undefined): ClaimOutcome {
  // A row gone again (purged or taken over between the two statements) or not answered yet: the
  // client's retry will find it settled.
  if (!row || row.response_status === null) throw new IdempotencyKeyInUseError();
  if (row.fingerprint.trim() !== call.fingerprint) return { kind: 'mismatch' };
  return { kind: 'replay', response: { status: Number(row.response_status), body: row.response_body } };
}
