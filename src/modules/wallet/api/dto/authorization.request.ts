import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_AMOUNT } from '../../../../shared/domain/money';
import { IsAmount } from '../../../../shared/http/amount';
import { IsSafeText } from '../../../../shared/http/hostile-input';
import { AUTHORIZATION_TTL_SECONDS } from '../../domain/authorization';

export class CreateAuthorizationRequest {
  @ApiProperty({ example: 5000, minimum: 1, maximum: MAX_AMOUNT, description: 'Minor units held' })
  @IsAmount()
  amount: number;

  @ApiPropertyOptional({
    example: 3600,
    minimum: AUTHORIZATION_TTL_SECONDS.min,
    maximum: AUTHORIZATION_TTL_SECONDS.max,
    default: AUTHORIZATION_TTL_SECONDS.default,
    description: 'Seconds until the authorization expires and its money is available again (default 7 days)',
  })
  @IsOptional()
  @IsInt()
  @Min(AUTHORIZATION_TTL_SECONDS.min)
  @Max(AUTHORIZATION_TTL_SECONDS.max)
  expires_in_seconds?: number;

  @ApiPropertyOptional({ example: 'Hotel deposit', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @IsSafeText()
  description?: string;
}

export class CaptureAuthorizationRequest {
  @ApiPropertyOptional({
    example: 3000,
    minimum: 1,
    maximum: MAX_AMOUNT,
    description:
      'Minor units to take, at most the authorized amount (default: all of it); the rest is released',
  })
  @IsOptional()
  @IsAmount()
  amount?: number;
}
