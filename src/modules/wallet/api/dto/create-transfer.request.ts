import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { MAX_AMOUNT } from '../../../../shared/domain/money';
import { IsAmount } from '../../../../shared/http/amount';
import { IsSafeText } from '../../../../shared/http/hostile-input';

export class CreateTransferRequest {
  @ApiProperty({
    format: 'uuid',
    example: '0f8e6d4c-2b1a-4c9e-8d7f-6a5b4c3d2e1f',
    description: "The wallet debited: the caller's own, from `GET /api/wallets` (the admin: any)",
  })
  @IsUUID('all')
  from_wallet_id: string;

  @ApiProperty({
    format: 'uuid',
    example: '7c5e3a1f-9d8b-4f6e-a4c2-0e1d2c3b4a59',
    description:
      "The wallet credited: another account's wallet, by id, in the same currency (an account has one wallet " +
      'per currency, so the source wallet is refused with a 400)',
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
