import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../../shared/database/bigint.transformer';

@Entity('wallets')
export class WalletOrmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ type: 'bigint', transformer: bigintTransformer }) balance: bigint;
  @Column({ type: 'bigint', transformer: bigintTransformer, insert: false }) held: bigint;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', insert: false }) updatedAt: Date;
}
