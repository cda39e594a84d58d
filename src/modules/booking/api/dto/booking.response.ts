import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import { GENDERS, TRAVEL_TYPES, type TravelType } from '../../../provider/domain/travel-provider';
import { BOOKING_STATUSES, type Booking, type BookingStatus } from '../../domain/booking';
import { type TravelerJson, travelerToJson } from '../../domain/traveler-json';
import { isoTime } from '../../../../shared/time/iso-time';

export class TravelerResponse implements TravelerJson {
  @ApiProperty({ example: 'Ada' }) first_name: string;
  @ApiProperty({ example: 'Lovelace' }) last_name: string;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
  @ApiPropertyOptional({ example: '+33612345678' }) phone?: string;
  @ApiPropertyOptional({ format: 'date' }) date_of_birth?: string;
  @ApiPropertyOptional({ enum: GENDERS }) gender?: (typeof GENDERS)[number];
}

export class BookingResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: TRAVEL_TYPES }) type: TravelType;
  @ApiProperty({ example: 'Amadeus' }) provider: string;
  @ApiProperty({
    enum: BOOKING_STATUSES,
    description:
      '`pending` (debited, being booked) → `confirmed` | `failed` (refunded) | `action_required` (the provider ' +
      'may have booked and cannot say: an operator resolves it); `confirmed` → `cancelled` (refunded)',
  })
  status: BookingStatus;
  @ApiProperty({
    example: 45231,
    description:
      'Minor units paid from the wallet: the priced total, less any difference refunded when the provider booked it for less',
  })
  amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ format: 'uuid', description: 'The debit ledger entry' }) wallet_transaction_id: string;
  @ApiProperty({ type: [TravelerResponse], description: 'The lead traveller first' })
  travelers: TravelerResponse[];
  @ApiProperty({ type: String, nullable: true, description: "The provider's id of the booking, once booked" })
  provider_reference: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Set once `confirmed`' }) confirmation_code:
    string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Why it `failed` (the debit is then refunded; `price_changed` when the provider booked it for more than the ' +
      'debit and it was cancelled there) or is `action_required`',
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
      travelers: booking.travelers.map(travelerToJson),
      provider_reference: booking.providerBookingId,
      confirmation_code: booking.confirmationCode,
      failure_reason: booking.failureReason,
      created_at: isoTime(booking.createdAt),
      updated_at: isoTime(booking.updatedAt),
    };
  }
}
