import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../../shared/database/bigint.transformer';
import type { TransactionType } from '../domain/wallet';

@Entity('wallet_transactions')
export class WalletTransactionOrmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'wallet_id', type: 'uuid' }) walletId: string;
  @Column({ type: 'varchar', length: 6 }) type: TransactionType;
  @Column({ type: 'bigint', transformer: bigintTransformer }) amount: bigint;
  @Column({ name: 'balance_before', type: 'bigint', transformer: bigintTransformer }) balanceBefore: bigint;
  @Column({ name: 'balance_after', type: 'bigint', transformer: bigintTransformer }) balanceAfter: bigint;
  @Column({ type: 'varchar', length: 255, nullable: true }) description: string | null;
  @Column({ name: 'reference_type', type: 'varchar', length: 32, nullable: true }) referenceType:
    string | null;
  @Column({ name: 'reference_id', type: 'uuid', nullable: true }) referenceId: string | null;
  @Column({ name: 'key_scope', type: 'varchar', length: 36, nullable: true }) keyScope: string | null;
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
}
