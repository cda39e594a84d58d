import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { CURRENCY_PATTERN } from '../../../../shared/domain/money';

export class CreateWalletRequest {
  @ApiProperty({ example: 'USD', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, 3 uppercase letters' })
  @Matches(CURRENCY_PATTERN, { message: 'must be 3 uppercase letters (ISO 4217)' })
  currency: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'The account that gets the wallet. The admin may name any account (default: the admin account); a ' +
      'customer may leave it out or name only its own.',
  })
  @IsOptional()
  @IsUUID('all')
  account_id?: string;
}
