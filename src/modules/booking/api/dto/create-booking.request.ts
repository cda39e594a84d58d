import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsEmailAddress, IsSafeText } from '../../../../shared/http/hostile-input';
import { TRAVEL_TYPES, type TravelType } from '../../../provider/domain/travel-provider';

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
    description: 'In sandbox mode `Decline` makes the provider refuse; `Flaky` fails twice, then succeeds',
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
}
