import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsOptional,
  Matches,
  ValidateBy,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsEmailAddress, IsSafeText } from '../../../../shared/http/hostile-input';
import {
  type Gender,
  GENDERS,
  isCalendarDate,
  TRAVEL_TYPES,
  type TravelType,
} from '../../../provider/domain/travel-provider';

/** E.164: a plus, then up to 15 digits, the first not 0. */
const E164 = /^\+[1-9]\d{6,14}$/;

export class TravelerRequest {
  @ApiProperty({ example: 'Ada', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @IsSafeText()
  first_name: string;

  @ApiProperty({
    example: 'Lovelace',
    maxLength: 100,
    description:
      "In sandbox mode, the lead traveller's last name injects a failure: `Decline` makes the provider " +
      'refuse; `Flaky` fails twice, then succeeds; `Timeout` times out after the provider booked (outcome ' +
      'unknown: `action_required`); `Pricey` books at a higher total than priced (`price_changed`)',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @IsSafeText()
  last_name: string;

  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsEmailAddress()
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({
    example: '+33612345678',
    maxLength: 16,
    pattern: E164.source,
    description:
      "E.164. Required for the lead traveller of a hotel (Booking.com's booker), and wherever the provider's " +
      'pricing of the offer asks for it',
  })
  @IsOptional()
  @IsString()
  @Matches(E164, { message: 'must be a phone number in E.164 form, e.g. +33612345678' })
  phone?: string;

  @ApiPropertyOptional({
    example: '1990-04-21',
    format: 'date',
    maxLength: 10,
    description: "Required when the provider's pricing of the offer asks for it (many airlines do)",
  })
  @IsOptional()
  @ValidateBy({
    name: 'isPastCalendarDate',
    validator: {
      validate: (value) => isCalendarDate(value) && value < new Date().toISOString().slice(0, 10),
      defaultMessage: () => 'must be a past date, YYYY-MM-DD',
    },
  })
  date_of_birth?: string;

  @ApiPropertyOptional({
    enum: GENDERS,
    description: "Required when the provider's pricing of the offer asks for it",
  })
  @IsOptional()
  @IsIn(GENDERS)
  gender?: Gender;
}

export class CreateBookingRequest {
  @ApiProperty({ enum: TRAVEL_TYPES })
  @IsIn(TRAVEL_TYPES)
  type: TravelType;

  @ApiProperty({
    description:
      'An offer `id` from GET /api/flights/offers or /api/hotels/offers: copy one from a search, as offers ' +
      'are issued by the provider and no example can stand for them',
    example: 'paste an offer id from a search',
    maxLength: 2048,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  @IsSafeText()
  offer_id: string;

  @ApiProperty({ format: 'uuid', description: 'A wallet of the caller, in the offer currency' })
  @IsUUID('all')
  wallet_id: string;

  @ApiProperty({ type: TravelerRequest })
  @IsDefined()
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => TravelerRequest)
  traveler: TravelerRequest;

  @ApiPropertyOptional({
    type: [TravelerRequest],
    maxItems: 29,
    description:
      'One more traveller per further passenger (flights: one per adult of the search) or guest (hotels: up ' +
      'to the guests of the search)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(29)
  @ValidateNested({ each: true })
  @Type(() => TravelerRequest)
  travelers?: TravelerRequest[];
}
