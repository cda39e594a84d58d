import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../../shared/database/bigint.transformer';
import type { OrderStatus } from '../domain/order';

@Entity('orders')
export class OrderOrmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;
  @Column({ name: 'hold_id', type: 'uuid' }) holdId: string;
  @Column({ name: 'product_id', type: 'uuid' }) productId: string;
  @Column({ type: 'integer' }) quantity: number;
  @Column({ name: 'unit_price', type: 'bigint', transformer: bigintTransformer }) unitPrice: bigint;
  @Column({ type: 'bigint', transformer: bigintTransformer }) amount: bigint;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ type: 'varchar', length: 20 }) status: OrderStatus;
  @Column({ name: 'refunded_amount', type: 'bigint', transformer: bigintTransformer }) refundedAmount: bigint;
  @Column({ name: 'payment_due_at', type: 'timestamptz' }) paymentDueAt: Date;
  @Column({ name: 'payment_id', type: 'uuid', nullable: true }) paymentId: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
