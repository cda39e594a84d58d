import { queryPrepared } from '../../../shared/database/prepared-statement';
import { withSideWrites } from '../../../shared/database/side-write';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Transfer } from '../domain/transfer';
import type { TransferRepository } from '../domain/transfer.repository';
import { isoTime } from '../../../shared/time/iso-time';

interface TransferRow {
  id: string;
  from_wallet_id: string;
  to_wallet_id: string;
  amount: string;
  currency: string;
  description: string | null;
  debit_transaction_id: string;
  credit_transaction_id: string;
  created_at: Date;
}

const COLUMNS = `id, from_wallet_id, to_wallet_id, amount, currency, description, debit_transaction_id,
  credit_transaction_id, created_at`;

const toTransfer = (row: TransferRow): Transfer => ({
  id: row.id,
  fromWalletId: row.from_wallet_id,
  toWalletId: row.to_wallet_id,
  amount: BigInt(row.amount),
  currency: row.currency,
  description: row.description,
  debitTransactionId: row.debit_transaction_id,
  creditTransactionId: row.credit_transaction_id,
  createdAt: row.created_at,
});

@Injectable()
export class TypeOrmTransferRepository implements TransferRepository<EntityManager> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, transfers: Transfer[]): Promise<void> {
    if (transfers.length === 0) return;
    const { sql, params } = withSideWrites(
      tx,
      `WITH t AS (
         INSERT INTO transfers (${COLUMNS})
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::char(3)[], $6::varchar[],
                              $7::uuid[], $8::uuid[], $9::timestamptz[])
         RETURNING 1)
       SELECT count(*) FROM t`,
      [
        transfers.map((t) => t.id),
        transfers.map((t) => t.fromWalletId),
        transfers.map((t) => t.toWalletId),
        transfers.map((t) => t.amount.toString()),
        transfers.map((t) => t.currency),
        transfers.map((t) => t.description),
        transfers.map((t) => t.debitTransactionId),
        transfers.map((t) => t.creditTransactionId),
        transfers.map((t) => isoTime(t.createdAt)),
      ],
    );
    await queryPrepared(tx, sql, params);
  }

  async findById(id: string, tx?: EntityManager): Promise<Transfer | null> {
    const rows: TransferRow[] = await (tx ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM transfers WHERE id = $1`,
      [id],
    );
    return rows[0] ? toTransfer(rows[0]) : null;
  }

  async findByDebitTransactionId(tx: EntityManager, debitTransactionId: string): Promise<Transfer | null> {
    const rows: TransferRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM transfers WHERE debit_transaction_id = $1`,
      [debitTransactionId],
    );
    return rows[0] ? toTransfer(rows[0]) : null;
  }
}
