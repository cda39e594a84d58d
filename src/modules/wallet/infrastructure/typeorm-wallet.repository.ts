import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MappedRows } from '../../../shared/database/mapped-rows';
import { isUniqueViolation, pgCode, PG } from '../../../shared/database/postgres-errors';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Cursor } from '../../../shared/domain/cursor';
import type { LedgerKey, TransactionType, Wallet, WalletTransaction } from '../domain/wallet';
import { LedgerConflictError, WalletExistsError } from '../domain/wallet.errors';
import type { NewWallet, WalletRepository } from '../domain/wallet.repository';
import { WalletTransactionOrmEntity } from './wallet-transaction.orm-entity';
import { WalletOrmEntity } from './wallet.orm-entity';
import { withSideWrites } from '../../../shared/database/side-write';

const toWallet = (row: WalletOrmEntity): Wallet => ({
  id: row.id,
  accountId: row.accountId,
  currency: row.currency,
  balance: row.balance,
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
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

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
      return { ...wallet, balance: 0n, createdAt: rows[0].created_at, updatedAt: rows[0].updated_at };
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
    // The entries are read in the locking statement's snapshot, which may predate the lock: enough,
    // because an entry with one of these keys committed meanwhile would have been made by a request
    // with the same Idempotency-Key or order, which its claim or the order's lock turned away first.
    const rows: Array<LockedRow> = await tx.query(
      `SELECT w.id, w.account_id, w.currency, w.balance, w.created_at, w.updated_at,
              CASE WHEN cardinality($2::varchar[]) = 0 THEN '[]'::json ELSE (
                SELECT coalesce(json_agg(t ORDER BY t.created_at), '[]'::json)
                  FROM wallet_transactions t
                  JOIN unnest($2::varchar[], $3::varchar[]) AS k(scope, key)
                    ON t.key_scope = k.scope AND t.idempotency_key = k.key
                 WHERE t.wallet_id = w.id) END AS entries
         FROM wallets w WHERE w.id = $1
          FOR UPDATE OF w`,
      [id, keys.map((k) => k.scope), keys.map((k) => k.key)],
    );
    const row = rows[0];
    if (!row) return null;
    return { wallet: fromRawRow(row), entries: row.entries.map(fromJsonRow) };
  }

  async lockInOrder(tx: EntityManager, ids: string[]): Promise<Wallet[]> {
    // LockRows sits above the sort: rows are locked in id order, whatever order `ids` came in.
    const rows: Array<Omit<LockedRow, 'entries'>> = await tx.query(
      `SELECT id, account_id, currency, balance, created_at, updated_at
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
    balance: bigint,
    entries: WalletTransaction[],
    at: Date,
  ): Promise<void> {
    // ON CONFLICT keeps the transaction usable and lets the count tell a key already recorded.
    const { sql, params } = withSideWrites(
      tx,
      `WITH w AS (
         UPDATE wallets SET balance = $2, updated_at = $14
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
         RETURNING 1)
       SELECT count(*)::int AS inserted FROM t`,
      [
        id,
        balance.toString(),
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
        entries.map((e) => e.createdAt.toISOString()),
        at,
      ],
    );
    const [{ inserted }]: Array<{ inserted: number }> = await tx.query(sql, params);
    if (inserted !== entries.length) throw new LedgerConflictError(id);
  }

  findTransactionById(id: string, tx?: EntityManager): Promise<WalletTransaction | null> {
    return this.transactions.findOne(tx ?? this.dataSource.manager, { id });
  }

  listTransactions(walletId: string, limit: number, cursor?: Cursor): Promise<WalletTransaction[]> {
    return this.transactions.newestFirst(this.dataSource.manager, 'wallet_id', walletId, limit, cursor);
  }
}
