import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsSafeText } from '../../../../shared/http/hostile-input';
import { PageMeta, PaginationQuery } from '../../../../shared/http/pagination';
import { BOOKING_STATUSES, type BookingStatus } from '../../domain/booking';
import { BookingResponse } from './booking.response';

export class ListBookingsQuery extends PaginationQuery {
  @ApiPropertyOptional({
    enum: BOOKING_STATUSES,
    description:
      '`action_required`: bookings the provider may have made and cannot say, waiting for an operator',
  })
  @IsOptional()
  @IsIn(BOOKING_STATUSES)
  status?: BookingStatus;
}

export class ResolveBookingRequest {
  @ApiPropertyOptional({
    example: 'QVH2B1',
    maxLength: 64,
    description: 'Found booked at the provider: its confirmation code (with `provider_reference`)',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  @IsSafeText()
  confirmation_code?: string;

  @ApiPropertyOptional({
    example: 'eJzTd9f3NjIJdzUBAAtXAmA1',
    maxLength: 255,
    description: "The provider's id of the booking (Amadeus flight order id, Booking.com order id)",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @IsSafeText()
  provider_reference?: string;

  @ApiPropertyOptional({
    enum: [true],
    description: 'Or: not booked at the provider: the booking fails and its debit is refunded, once',
  })
  @IsOptional()
  @Equals(true)
  failed?: true;
}

export class BookingPage extends PageMeta {
  @ApiProperty({ type: [BookingResponse] }) data: BookingResponse[];
}
