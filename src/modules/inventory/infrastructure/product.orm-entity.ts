import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../../shared/database/bigint.transformer';

@Entity('products')
export class ProductOrmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'bigint', transformer: bigintTransformer }) price: bigint;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ name: 'total_stock', type: 'integer' }) totalStock: number;
  @Column({ name: 'available_stock', type: 'integer' }) availableStock: number;
  @Column({ name: 'reserved_stock', type: 'integer' }) reservedStock: number;
  @Column({ name: 'sold_stock', type: 'integer' }) soldStock: number;
  @Column({ name: 'max_per_account', type: 'integer', nullable: true }) maxPerAccount: number | null;
  /** Raised by every stock change; written only by the repository's own statements. */
  @Column({
    name: 'stock_version',
    type: 'bigint',
    transformer: bigintTransformer,
    insert: false,
    update: false,
  })
  stockVersion: bigint;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
