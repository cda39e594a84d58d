import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { HoldStatus } from '../domain/hold';

@Entity('holds')
export class HoldOrmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'product_id', type: 'uuid' }) productId: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;
  @Column({ type: 'integer' }) quantity: number;
  @Column({ type: 'varchar', length: 16 }) status: HoldStatus;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
