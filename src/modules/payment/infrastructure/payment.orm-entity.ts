import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../../shared/database/bigint.transformer';
import type { PaymentMethod, PaymentStatus } from '../domain/payment-status';

@Entity('payments')
export class PaymentOrmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId: string;
  @Column({ type: 'varchar', length: 16 }) method: PaymentMethod;
  @Column({ type: 'varchar', length: 20 }) status: PaymentStatus;
  @Column({ name: 'pays_order', type: 'boolean' }) paysOrder: boolean;
  @Column({ type: 'bigint', transformer: bigintTransformer }) amount: bigint;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ name: 'wallet_id', type: 'uuid', nullable: true }) walletId: string | null;
  @Column({ name: 'wallet_transaction_id', type: 'uuid', nullable: true }) walletTransactionId: string | null;
  @Column({ name: 'refund_transaction_id', type: 'uuid', nullable: true }) refundTransactionId: string | null;
  @Column({ name: 'external_payment_id', type: 'varchar', length: 255, nullable: true })
  externalPaymentId: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
