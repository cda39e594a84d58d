import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_AMOUNT } from '../../../../shared/domain/money';
import { IsAmount } from '../../../../shared/http/amount';
import { IsSafeText } from '../../../../shared/http/hostile-input';

export class RefundOrderRequest {
  @ApiPropertyOptional({
    example: 1000,
    minimum: 1,
    maximum: MAX_AMOUNT,
    description: 'Minor units to give back, at most what is left to refund; without it, all that is left',
  })
  @IsOptional()
  @IsAmount()
  amount?: number;

  @ApiPropertyOptional({
    example: 'One item arrived damaged',
    maxLength: 200,
    description: "Kept with the refund and in the ledger entry's description",
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsSafeText()
  reason?: string;
}
