import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MappedRows } from '../../../shared/database/mapped-rows';
import { isUniqueViolation, pgCode, PG } from '../../../shared/database/postgres-errors';
import { queryPrepared } from '../../../shared/database/prepared-statement';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Cursor } from '../../../shared/domain/cursor';
import type { Authorization, AuthorizationStatus } from '../domain/authorization';
import type { LedgerKey, TransactionType, Wallet, WalletTransaction } from '../domain/wallet';
import { LedgerConflictError, WalletExistsError } from '../domain/wallet.errors';
import type { NewWallet, WalletRepository } from '../domain/wallet.repository';
import { WalletTransactionOrmEntity } from './wallet-transaction.orm-entity';
import { WalletOrmEntity } from './wallet.orm-entity';
import { withSideWrites } from '../../../shared/database/side-write';
import { isoTime } from '../../../shared/time/iso-time';

const toWallet = (row: WalletOrmEntity): Wallet => ({
  id: row.id,
  accountId: row.accountId,
  currency: row.currency,
  balance: row.balance,
  held: row.held,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const toTransaction = (row: WalletTransactionOrmEntity): WalletTransaction => ({
  id: row.id,
  walletId: row.walletId,
  type: row.type,
  amount: row.amount,
  balanceBefore: row.balanceBefore,
  balanceAfter: row.balanceAfter,
  description: row.description,
  reference:
    row.referenceType !== null && row.referenceId !== null
      ? { type: row.referenceType, id: row.referenceId }
      : null,
  idempotencyKey:
    row.keyScope !== null && row.idempotencyKey !== null
      ? { scope: row.keyScope, key: row.idempotencyKey }
      : null,
  createdAt: row.createdAt,
});

interface LockedRow {
  id: string;
  account_id: string;
  currency: string;
  balance: string;
  held: string;
  created_at: Date;
  updated_at: Date;
  entries: Array<Record<string, string | number | null>>;
}

/** A wallet row as a raw query returns it (the balance as a string, as pg gives bigints). */
const fromRawRow = (row: Omit<LockedRow, 'entries'>): Wallet => ({
  id: row.id,
  accountId: row.account_id,
  currency: row.currency,
  balance: BigInt(row.balance),
  held: BigInt(row.held),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * The wallet `$1`, locked, with its ledger entries of the keys `$2` (scopes) and `$3` (keys).
 *
 * The entries are read in the locking statement's snapshot, which may predate the lock: enough,
 * because an entry with one of these keys committed meanwhile would have been made by a request
 * with the same Idempotency-Key or order, which its claim or the order's lock turned away first.
 * One unique-index lookup per key, whatever the statistics say: as a join, a planner that
 * believed the wallet had few entries (a table not analyzed yet, or a hot wallet among many
 * quiet ones) hashed the keys and read every entry of the wallet, under its lock, and again
 * after waiting for it (5 ms a batch at 12,000 entries, growing with the ledger). The LIMIT keeps
 * the lookup a subquery of its own that the planner cannot turn into that join.
 */
export const LOCK_WITH_ENTRIES = `SELECT w.id, w.account_id, w.currency, w.balance, w.held, w.created_at, w.updated_at,
        CASE WHEN cardinality($2::varchar[]) = 0 THEN '[]'::json ELSE (
          SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]'::json)
            FROM unnest($2::varchar[], $3::varchar[]) AS k(scope, key),
                 LATERAL (SELECT * FROM wallet_transactions e
                           WHERE e.wallet_id = w.id AND e.key_scope = k.scope AND e.idempotency_key = k.key
                           LIMIT 1) AS t) END AS entries
   FROM wallets w WHERE w.id = $1
    FOR UPDATE OF w`;

/** A ledger row as PostgreSQL's json_agg wrote it (bigints as JSON numbers, all within 2^53). */
const fromJsonRow = (r: Record<string, string | number | null>): WalletTransaction => ({
  id: String(r.id),
  walletId: String(r.wallet_id),
  type: r.type as TransactionType,
  amount: BigInt(r.amount as number),
  balanceBefore: BigInt(r.balance_before as number),
  balanceAfter: BigInt(r.balance_after as number),
  description: r.description === null ? null : String(r.description),
  reference:
    r.reference_type !== null && r.reference_id !== null
      ? { type: String(r.reference_type), id: String(r.reference_id) }
      : null,
  idempotencyKey:
    r.key_scope !== null && r.idempotency_key !== null
      ? { scope: String(r.key_scope), key: String(r.idempotency_key) }
      : null,
  createdAt: new Date(String(r.created_at)),
});

const AUTHORIZATION_COLUMNS = `id, wallet_id, account_id, amount, captured_amount, currency, status, expires_at,
  description, key_scope, idempotency_key, created_at, updated_at`;

interface AuthorizationRow {
  id: string;
  wallet_id: string;
  account_id: string;
  amount: string;
  captured_amount: string;
  currency: string;
  status: AuthorizationStatus;
  expires_at: Date;
  description: string | null;
  key_scope: string | null;
  idempotency_key: string | null;
  created_at: Date;
  updated_at: Date;
}

const toAuthorization = (r: AuthorizationRow): Authorization => ({
  id: r.id,
  walletId: r.wallet_id,
  accountId: r.account_id,
  amount: BigInt(r.amount),
  capturedAmount: BigInt(r.captured_amount),
  currency: r.currency,
  status: r.status,
  expiresAt: r.expires_at,
  description: r.description,
  idempotencyKey:
    r.key_scope !== null && r.idempotency_key !== null
      ? { scope: r.key_scope, key: r.idempotency_key }
      : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

@Injectable()
export class TypeOrmWalletRepository implements WalletRepository<EntityManager> {
  private readonly wallets = new MappedRows(WalletOrmEntity, toWallet);
  private readonly transactions = new MappedRows(WalletTransactionOrmEntity, toTransaction);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(tx: EntityManager, wallet: NewWallet): Promise<Wallet> {
    try {
      // Both as stored: each column's default reads clock_timestamp() on its own, so the two can
      // be a millisecond apart.
      const rows: Array<{ created_at: Date; updated_at: Date }> = await tx.query(
        `INSERT INTO wallets (id, account_id, currency) VALUES ($1, $2, $3) RETURNING created_at, updated_at`,
        [wallet.id, wallet.accountId, wallet.currency],
      );
      return {
        ...wallet,
        balance: 0n,
        held: 0n,
        createdAt: rows[0].created_at,
        updatedAt: rows[0].updated_at,
      };
    } catch (error) {
      if (isUniqueViolation(error, 'wallets_account_currency_key')) {
        throw new WalletExistsError(wallet.accountId, wallet.currency);
      }
      if (pgCode(error) === PG.foreignKeyViolation) throw new NotFoundError('Account', wallet.accountId);
      throw error;
    }
  }

  findById(id: string, tx?: EntityManager): Promise<Wallet | null> {
    return this.wallets.findOne(tx ?? this.dataSource.manager, { id });
  }

  listByAccount(accountId: string, limit: number, cursor?: Cursor): Promise<Wallet[]> {
    // created_at has millisecond precision, the precision of cursors.
    return this.wallets.newestFirst(this.dataSource.manager, 'account_id', accountId, limit, cursor);
  }

  async lockWithEntries(
    tx: EntityManager,
    id: string,
    keys: LedgerKey[],
  ): Promise<{ wallet: Wallet; entries: WalletTransaction[] } | null> {
    const rows: Array<LockedRow> = await queryPrepared(tx, LOCK_WITH_ENTRIES, [
      id,
      keys.map((k) => k.scope),
      keys.map((k) => k.key),
    ]);
    const row = rows[0];
    if (!row) return null;
    return { wallet: fromRawRow(row), entries: row.entries.map(fromJsonRow) };
  }

  async lockInOrder(tx: EntityManager, ids: string[]): Promise<Wallet[]> {
    // LockRows sits above the sort: rows are locked in id order, whatever order `ids` came in.
    const rows: Array<Omit<LockedRow, 'entries'>> = await queryPrepared(
      tx,
      `SELECT id, account_id, currency, balance, held, created_at, updated_at
         FROM wallets WHERE id = ANY($1::uuid[])
        ORDER BY id
          FOR UPDATE`,
      [ids],
    );
    return rows.map(fromRawRow);
  }

  async append(
    tx: EntityManager,
    id: string,
    state: Pick<Wallet, 'balance' | 'held' | 'updatedAt'>,
    entries: WalletTransaction[],
    authorizations: { created: Authorization[]; changed: Authorization[] } = { created: [], changed: [] },
  ): Promise<void> {
    const { created, changed } = authorizations;
    const withAuthorizations = created.length + changed.length > 0;
    // ON CONFLICT keeps the transaction usable and lets the counts tell a key already recorded; a
    // changed authorization is written only from pending, so the count also tells one that was not.
    // Changed authorizations are found by primary key alone (they were read under this wallet's lock):
    // a condition on wallet_id lets the planner walk all of a busy wallet's pending ones instead.
    const { sql, params } = withSideWrites(
      tx,
      `WITH w AS (
         UPDATE wallets SET balance = $2, held = $14, updated_at = $15
          WHERE id = $1),
       t AS (
         INSERT INTO wallet_transactions
           (id, wallet_id, type, amount, balance_before, balance_after, description,
            reference_type, reference_id, key_scope, idempotency_key, created_at)
         SELECT e.id, $1, e.type, e.amount, e.balance_before, e.balance_after, e.description,
                e.reference_type, e.reference_id, e.key_scope, e.idempotency_key, e.created_at
           FROM unnest($3::uuid[], $4::varchar[], $5::bigint[], $6::bigint[], $7::bigint[], $8::varchar[],
                       $9::varchar[], $10::uuid[], $11::varchar[], $12::varchar[], $13::timestamptz[])
             AS e(id, type, amount, balance_before, balance_after, description,
                  reference_type, reference_id, key_scope, idempotency_key, created_at)
         ON CONFLICT (wallet_id, key_scope, idempotency_key) DO NOTHING
         RETURNING 1)${
           !withAuthorizations
             ? ''
             : `,
       a AS (
         INSERT INTO authorizations
           (id, wallet_id, account_id, amount, currency, status, expires_at, description,
            key_scope, idempotency_key, created_at, updated_at)
         SELECT n.id, $1, n.account_id, n.amount, n.currency, 'pending', n.expires_at, n.description,
                n.key_scope, n.idempotency_key, n.created_at, n.created_at
           FROM unnest($16::uuid[], $17::uuid[], $18::bigint[], $19::char(3)[], $20::timestamptz[],
                       $21::varchar[], $22::varchar[], $23::varchar[], $24::timestamptz[])
             AS n(id, account_id, amount, currency, expires_at, description, key_scope, idempotency_key, created_at)
         ON CONFLICT (wallet_id, key_scope, idempotency_key) DO NOTHING
         RETURNING 1),
       s AS (
         UPDATE authorizations SET status = c.status, captured_amount = c.captured_amount, updated_at = c.updated_at
           FROM unnest($25::uuid[], $26::varchar[], $27::bigint[], $28::timestamptz[])
             AS c(id, status, captured_amount, updated_at)
          WHERE authorizations.id = c.id AND authorizations.status = 'pending'
         RETURNING 1)`
         }
       SELECT (SELECT count(*)::int FROM t) AS inserted,
              ${withAuthorizations ? '(SELECT count(*)::int FROM a)' : '0'} AS created,
              ${withAuthorizations ? '(SELECT count(*)::int FROM s)' : '0'} AS changed`,
      [
        id,
        state.balance.toString(),
        entries.map((e) => e.id),
        entries.map((e) => e.type),
        entries.map((e) => e.amount.toString()),
        entries.map((e) => e.balanceBefore.toString()),
        entries.map((e) => e.balanceAfter.toString()),
        entries.map((e) => e.description),
        entries.map((e) => e.reference?.type ?? null),
        entries.map((e) => e.reference?.id ?? null),
        entries.map((e) => e.idempotencyKey?.scope ?? null),
        entries.map((e) => e.idempotencyKey?.key ?? null),
        entries.map((e) => isoTime(e.createdAt)),
        state.held.toString(),
        state.updatedAt,
        ...(!withAuthorizations
          ? []
          : [
              created.map((a) => a.id),
              created.map((a) => a.accountId),
              created.map((a) => a.amount.toString()),
              created.map((a) => a.currency),
              created.map((a) => isoTime(a.expiresAt)),
              created.map((a) => a.description),
              created.map((a) => a.idempotencyKey?.scope ?? null),
              created.map((a) => a.idempotencyKey?.key ?? null),
              created.map((a) => isoTime(a.createdAt)),
              changed.map((a) => a.id),
              changed.map((a) => a.status),
              changed.map((a) => a.capturedAmount.toString()),
              changed.map((a) => isoTime(a.updatedAt)),
            ]),
      ],
    );
    const [counts]: Array<{ inserted: number; created: number; changed: number }> = await queryPrepared(
      tx,
      sql,
      params,
    );
    if (
      counts.inserted !== entries.length ||
      counts.created !== created.length ||
      counts.changed !== changed.length
    ) {
      throw new LedgerConflictError(id);
    }
  }

  async findAuthorizations(
    tx: EntityManager,
    walletId: string,
    ids: string[],
    keys: LedgerKey[],
  ): Promise<Authorization[]> {
    // Two index lookups (the primary key, the unique key), never a scan of the wallet's authorizations.
    const rows: AuthorizationRow[] = await queryPrepared(
      tx,
      `SELECT ${AUTHORIZATION_COLUMNS} FROM authorizations WHERE id = ANY($2::uuid[]) AND wallet_id = $1
       UNION
       SELECT ${AUTHORIZATION_COLUMNS} FROM authorizations
        WHERE wallet_id = $1
          AND (key_scope, idempotency_key) IN (SELECT * FROM unnest($3::varchar[], $4::varchar[]))`,
      [walletId, ids, keys.map((k) => k.scope), keys.map((k) => k.key)],
    );
    return rows.map(toAuthorization);
  }

  async findAuthorizationById(id: string, tx?: EntityManager): Promise<Authorization | null> {
    const rows: AuthorizationRow[] = await (tx ?? this.dataSource.manager).query(
      `SELECT ${AUTHORIZATION_COLUMNS} FROM authorizations WHERE id = $1`,
      [id],
    );
    return rows[0] ? toAuthorization(rows[0]) : null;
  }

  async findOverdueAuthorizations(
    tx: EntityManager,
    now: Date,
    limit: number,
  ): Promise<Array<Pick<Authorization, 'id' | 'walletId'>>> {
    const rows: Array<{ id: string; wallet_id: string }> = await tx.query(
      `SELECT id, wallet_id FROM authorizations
        WHERE status = 'pending' AND expires_at <= $1
        ORDER BY expires_at LIMIT $2`,
      [isoTime(now), limit],
    );
    return rows.map((r) => ({ id: r.id, walletId: r.wallet_id }));
  }

  findTransactionById(id: string, tx?: EntityManager): Promise<WalletTransaction | null> {
    return this.transactions.findOne(tx ?? this.dataSource.manager, { id });
  }

  listTransactions(walletId: string, limit: number, cursor?: Cursor): Promise<WalletTransaction[]> {
    return this.transactions.newestFirst(this.dataSource.manager, 'wallet_id', walletId, limit, cursor);
  }
}
