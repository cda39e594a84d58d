import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { MAX_AMOUNT } from '../../../../shared/domain/money';
import { IsAmount } from '../../../../shared/http/amount';
import { IsSafeText } from '../../../../shared/http/hostile-input';

export class CreateTransferRequest {
  @ApiProperty({ format: 'uuid', description: "The wallet debited: the caller's own (the admin: any)" })
  @IsUUID('all')
  from_wallet_id: string;

  @ApiProperty({
    format: 'uuid',
    description: "The wallet credited: any account's, by id, in the same currency; not the source wallet",
  })
  @IsUUID('all')
  to_wallet_id: string;

  @ApiProperty({ example: 1250, minimum: 1, maximum: MAX_AMOUNT, description: 'Minor units' })
  @IsAmount()
  amount: number;

  @ApiPropertyOptional({
    example: 'Dinner',
    maxLength: 255,
    description: 'Kept on the transfer and on both ledger entries',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @IsSafeText()
  description?: string;
}
