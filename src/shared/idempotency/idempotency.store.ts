import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'crypto';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { REDIS } from '../redis/redis.module';
import { redisKey } from '../redis/redis-keys';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type ClaimResult =
  | { kind: 'claimed'; token: string }
  | { kind: 'completed'; response: StoredResponse }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

interface KeyRow {
  fingerprint: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: unknown;
  expired: boolean;
  stale: boolean;
}

interface CachedResponse extends StoredResponse {
  fingerprint: string;
}

const MAX_CLAIM_ATTEMPTS = 3;
const PURGE_BATCH = 5000;

/**
 * Idempotency keys in PostgreSQL, the authority: one row per (account, key) holding the request's
 * fingerprint and, once the request finished, its answer. Completed answers are also cached in
 * Redis for fast replays; every Redis failure falls back to PostgreSQL.
 */
@Injectable()
export class IdempotencyStore {
  private readonly logger = new Logger(IdempotencyStore.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** A claim left in progress longer than this belongs to a request that died; it may be taken over. */
  get staleAfterSeconds(): number {
    return Math.ceil((2 * this.config.REQUEST_TIMEOUT_MS) / 1000);
  }

  async claim(accountId: string, key: string, fingerprint: string): Promise<ClaimResult> {
    const cached = await this.cached(accountId, key);
    if (cached) {
      return cached.fingerprint === fingerprint
        ? { kind: 'completed', response: { status: cached.status, body: cached.body } }
        : { kind: 'mismatch' };
    }
    const ttl = this.config.IDEMPOTENCY_TTL_SECONDS;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const token = randomUUID();
      const inserted: unknown[] = await this.dataSource.query(
        `INSERT INTO idempotency_keys (account_id, key, fingerprint, state, lock_token, locked_at, expires_at)
         VALUES ($1, $2, $3, 'in_progress', $4, now(), now() + make_interval(secs => $5))
         ON CONFLICT (account_id, key) DO NOTHING
         RETURNING 1`,
        [accountId, key, fingerprint, token, ttl],
      );
      if (inserted.length === 1) return { kind: 'claimed', token };

      const rows: KeyRow[] = await this.dataSource.query(
        `SELECT fingerprint, state, response_status, response_body,
                expires_at <= now() AS expired,
                state = 'in_progress' AND locked_at < now() - make_interval(secs => $3) AS stale
           FROM idempotency_keys WHERE account_id = $1 AND key = $2`,
        [accountId, key, this.staleAfterSeconds],
      );
      const row = rows[0];
      if (!row) continue; // released in between: try to claim again

      if (row.expired) {
        // An expired key counts as absent; the UPDATE's condition lets one request take it.
        if (
          await this.updated(
            `UPDATE idempotency_keys
                SET fingerprint = $3, state = 'in_progress', lock_token = $4, locked_at = now(),
                    response_status = NULL, response_body = NULL, created_at = now(),
                    expires_at = now() + make_interval(secs => $5)
              WHERE account_id = $1 AND key = $2 AND expires_at <= now()`,
            [accountId, key, fingerprint, token, ttl],
          )
        ) {
          return { kind: 'claimed', token };
        }
        continue;
      }
      if (row.fingerprint.trim() !== fingerprint) return { kind: 'mismatch' };
      if (row.state === 'completed') {
        return {
          kind: 'completed',
          response: { status: Number(row.response_status), body: row.response_body },
        };
      }
      if (
        row.stale &&
        (await this.updated(
          `UPDATE idempotency_keys SET lock_token = $3, locked_at = now()
            WHERE account_id = $1 AND key = $2 AND state = 'in_progress'
              AND locked_at < now() - make_interval(secs => $4)`,
          [accountId, key, token, this.staleAfterSeconds],
        ))
      ) {
        this.logger.warn(`took over a stale idempotency claim for account ${accountId}`);
        return { kind: 'claimed', token };
      }
      return { kind: 'in_progress' };
    }
    return { kind: 'in_progress' };
  }

  /** Records the answer of the claim `token`; a claim taken over meanwhile is left to its new owner. */
  async complete(accountId: string, key: string, token: string, response: StoredResponse): Promise<void> {
    const rows: Array<{ fingerprint: string; ttl_ms: string }> = await this.dataSource.query(
      `WITH changed AS (
         UPDATE idempotency_keys
            SET state = 'completed', response_status = $4, response_body = $5::jsonb,
                lock_token = NULL, locked_at = NULL
          WHERE account_id = $1 AND key = $2 AND lock_token = $3
          RETURNING fingerprint, floor(extract(epoch FROM expires_at - now()) * 1000)::bigint AS ttl_ms)
       SELECT * FROM changed`,
      [accountId, key, token, response.status, JSON.stringify(response.body ?? null)],
    );
    const row = rows[0];
    if (!row || Number(row.ttl_ms) <= 0) return;
    const cached: CachedResponse = { fingerprint: row.fingerprint.trim(), ...response };
    this.redis
      .set(this.cacheKey(accountId, key), JSON.stringify(cached), 'PX', Number(row.ttl_ms))
      .catch((error: Error) => this.logger.debug(`replay cache not written: ${error.message}`));
  }

  /** Forgets the claim `token`, so that the client may retry with the same key. */
  async release(accountId: string, key: string, token: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND lock_token = $3`,
      [accountId, key, token],
    );
  }

  /** Deletes expired keys in batches; returns how many. */
  async purgeExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
        `WITH gone AS (
           DELETE FROM idempotency_keys WHERE ctid IN (
             SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT ${PURGE_BATCH})
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
      );
      total += n;
      if (n < PURGE_BATCH) return total;
    }
  }

  private async updated(sql: string, params: unknown[]): Promise<boolean> {
    const [{ n }]: Array<{ n: number }> = await this.dataSource.query(
      `WITH changed AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM changed`,
      params,
    );
    return n === 1;
  }

  private async cached(accountId: string, key: string): Promise<CachedResponse | null> {
    try {
      const value = await this.redis.get(this.cacheKey(accountId, key));
      return value ? (JSON.parse(value) as CachedResponse) : null;
    } catch (error) {
      this.logger.debug(`replay cache unavailable: ${(error as Error).message}`);
      return null;
    }
  }

  private cacheKey(accountId: string, key: string): string {
    const digest = createHash('sha256').update(key, 'utf8').digest('hex');
    return redisKey(this.config, 'idem', accountId, digest);
  }
}
