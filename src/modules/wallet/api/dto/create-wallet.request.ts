import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { IsCurrency } from '../../../../shared/http/amount';
import { PaginationQuery } from '../../../../shared/http/pagination';

export class CreateWalletRequest {
  @ApiProperty({
    example: 'USD',
    pattern: '^[A-Z]{3}$',
    minLength: 3,
    maxLength: 3,
    description:
      'An ISO 4217 currency code in capitals; three letters that are not a currency (`ZZZ`) are refused',
  })
  @IsCurrency()
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

export class ListWalletsQuery extends PaginationQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "Whose wallets: the admin may name any account (default: the admin's own); a customer only its own",
  })
  @IsOptional()
  @IsUUID('all')
  account_id?: string;
}
