import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../../shared/database/bigint.transformer';
import type { TravelType } from '../../provider/domain/travel-provider';
import type { BookingStatus } from '../domain/booking';
import type { TravelerJson } from '../domain/traveler-json';

@Entity('bookings')
export class BookingOrmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;
  @Column({ type: 'varchar', length: 6 }) type: TravelType;
  @Column({ type: 'varchar', length: 32 }) provider: string;
  @Column({ name: 'offer_id', type: 'varchar', length: 2048 }) offerId: string;
  @Column({ name: 'wallet_id', type: 'uuid' }) walletId: string;
  @Column({ type: 'varchar', length: 15 }) status: BookingStatus;
  @Column({ type: 'bigint', transformer: bigintTransformer }) amount: bigint;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ name: 'wallet_transaction_id', type: 'uuid' }) walletTransactionId: string;
  @Column({ name: 'refund_transaction_id', type: 'uuid', nullable: true }) refundTransactionId: string | null;
  @Column({ name: 'confirmation_code', type: 'varchar', nullable: true }) confirmationCode: string | null;
  @Column({ name: 'provider_booking_id', type: 'varchar', nullable: true }) providerBookingId: string | null;
  @Column({ name: 'failure_reason', type: 'varchar', nullable: true }) failureReason: string | null;
  @Column({ type: 'jsonb' }) travelers: TravelerJson[];
  @Column({ name: 'priced_offer', type: 'text', nullable: true }) pricedOffer: string | null;
  @Column({ name: 'cancel_requested_at', type: 'timestamptz', nullable: true })
  cancelRequestedAt: Date | null;
  @Column({ name: 'idempotency_key', type: 'varchar' }) idempotencyKey: string;
  @Column({ name: 'outcome_unknown', type: 'boolean' }) outcomeUnknown: boolean;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
