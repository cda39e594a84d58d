import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_AMOUNT } from '../../../../shared/domain/money';
import { IsCurrency } from '../../../../shared/http/amount';
import { IsSafeText } from '../../../../shared/http/hostile-input';
import { MAX_PER_ACCOUNT, MAX_STOCK } from '../../domain/product';

export class CreateProductRequest {
  @ApiProperty({ example: 'Limited sneakers', minLength: 1, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsSafeText()
  name: string;

  @ApiProperty({ example: 1999, minimum: 1, maximum: MAX_AMOUNT, description: 'Unit price in minor units' })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  price: number;

  @ApiProperty({
    example: 'USD',
    pattern: '^[A-Z]{3}$',
    minLength: 3,
    maxLength: 3,
    description: 'An ISO 4217 currency code in capitals',
  })
  @IsCurrency()
  currency: string;

  @ApiProperty({ example: 300, minimum: 0, maximum: MAX_STOCK, description: 'Units for sale' })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 2,
    minimum: 1,
    maximum: MAX_PER_ACCOUNT,
    description:
      'The most units one account may have of this product in active holds, pending orders and paid orders ' +
      'together (a hold beyond it is 409 `limit_exceeded`); none by default',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PER_ACCOUNT)
  max_per_account?: number | null;
}
