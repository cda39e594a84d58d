import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation, pgCode, PG } from '../../../shared/database/postgres-errors';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Cursor } from '../../../shared/http/pagination';
import type { Wallet, WalletTransaction } from '../domain/wallet';
import { WalletExistsError } from '../domain/wallet.errors';
import type { NewWallet, WalletRepository } from '../domain/wallet.repository';
import { WalletTransactionOrmEntity } from './wallet-transaction.orm-entity';
import { WalletOrmEntity } from './wallet.orm-entity';

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
  idempotencyKey: row.idempotencyKey,
  createdAt: row.createdAt,
});

@Injectable()
export class TypeOrmWalletRepository implements WalletRepository<EntityManager> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(wallet: NewWallet): Promise<Wallet> {
    try {
      const rows: Array<{ created_at: Date }> = await this.dataSource.query(
        `INSERT INTO wallets (id, account_id, currency) VALUES ($1, $2, $3) RETURNING created_at`,
        [wallet.id, wallet.accountId, wallet.currency],
      );
      const createdAt = rows[0].created_at;
      return { ...wallet, balance: 0n, createdAt, updatedAt: createdAt };
    } catch (error) {
      if (isUniqueViolation(error, 'wallets_account_currency_key')) {
        throw new WalletExistsError(wallet.accountId, wallet.currency);
      }
      if (pgCode(error) === PG.foreignKeyViolation) throw new NotFoundError('Account', wallet.accountId);
      throw error;
    }
  }

  async findById(id: string, tx?: EntityManager): Promise<Wallet | null> {
    const row = await (tx ?? this.dataSource.manager).findOne(WalletOrmEntity, { where: { id } });
    return row ? toWallet(row) : null;
  }

  async lockById(tx: EntityManager, id: string): Promise<Wallet | null> {
    const row = await tx.findOne(WalletOrmEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    return row ? toWallet(row) : null;
  }

  async updateBalance(tx: EntityManager, id: string, balance: bigint): Promise<void> {
    await tx.query(
      `UPDATE wallets SET balance = $2, updated_at = date_trunc('milliseconds', clock_timestamp()) WHERE id = $1`,
      [id, balance.toString()],
    );
  }

  async insertTransaction(tx: EntityManager, t: WalletTransaction): Promise<boolean> {
    // ON CONFLICT keeps the caller's transaction usable: a unique violation would abort it.
    const rows: unknown[] = await tx.query(
      `INSERT INTO wallet_transactions
         (id, wallet_id, type, amount, balance_before, balance_after, description,
          reference_type, reference_id, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (wallet_id, idempotency_key) DO NOTHING
       RETURNING created_at`,
      [
        t.id,
        t.walletId,
        t.type,
        t.amount.toString(),
        t.balanceBefore.toString(),
        t.balanceAfter.toString(),
        t.description,
        t.reference?.type ?? null,
        t.reference?.id ?? null,
        t.idempotencyKey,
      ],
    );
    const inserted = rows[0] as { created_at: Date } | undefined;
    if (inserted) t.createdAt = inserted.created_at;
    return inserted !== undefined;
  }

  async findTransactionByKey(
    tx: EntityManager,
    walletId: string,
    idempotencyKey: string,
  ): Promise<WalletTransaction | null> {
    const row = await tx.findOne(WalletTransactionOrmEntity, { where: { walletId, idempotencyKey } });
    return row ? toTransaction(row) : null;
  }

  async findTransactionById(id: string, tx?: EntityManager): Promise<WalletTransaction | null> {
    const row = await (tx ?? this.dataSource.manager).findOne(WalletTransactionOrmEntity, { where: { id } });
    return row ? toTransaction(row) : null;
  }

  async listTransactions(walletId: string, limit: number, cursor?: Cursor): Promise<WalletTransaction[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(WalletTransactionOrmEntity, 't')
      .where('t.wallet_id = :walletId', { walletId })
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(limit);
    if (cursor) {
      query.andWhere('(t.created_at, t.id) < (:at, :id)', { at: cursor.createdAt, id: cursor.id });
    }
    return (await query.getMany()).map(toTransaction);
  }
}
