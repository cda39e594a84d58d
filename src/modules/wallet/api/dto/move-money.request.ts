import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsAmount } from '../../../../shared/http/amount';
import { MAX_AMOUNT } from '../../../../shared/domain/money';
import { IsSafeText } from '../../../../shared/http/hostile-input';

/** Body of a credit or a debit. */
export class MoveMoneyRequest {
  @ApiProperty({ example: 5000, minimum: 1, maximum: MAX_AMOUNT, description: 'Minor units (5000 = 50.00)' })
  @IsAmount()
  amount: number;

  @ApiPropertyOptional({ example: 'Coffee', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @IsSafeText()
  description?: string;
}
