import { ApiProperty } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import { TRAVEL_TYPES, type TravelType } from '../../../provider/domain/travel-provider';
import type { Booking, BookingStatus } from '../../domain/booking';

export class BookingResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: TRAVEL_TYPES }) type: TravelType;
  @ApiProperty({ example: 'Amadeus' }) provider: string;
  @ApiProperty({ enum: ['pending', 'confirmed', 'failed'] }) status: BookingStatus;
  @ApiProperty({ example: 45231, description: 'Minor units, debited from the wallet' }) amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ format: 'uuid', description: 'The debit ledger entry' }) wallet_transaction_id: string;
  @ApiProperty({ type: String, nullable: true, description: 'Set once `confirmed`' }) confirmation_code:
    string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Set once `failed` (the debit is then refunded)',
  })
  failure_reason: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static of(booking: Booking): BookingResponse {
    return {
      id: booking.id,
      type: booking.type,
      provider: booking.provider,
      status: booking.status,
      amount: toJsonAmount(booking.amount),
      currency: booking.currency,
      wallet_transaction_id: booking.walletTransactionId,
      confirmation_code: booking.confirmationCode,
      failure_reason: booking.failureReason,
      created_at: booking.createdAt.toISOString(),
      updated_at: booking.updatedAt.toISOString(),
    };
  }
}
