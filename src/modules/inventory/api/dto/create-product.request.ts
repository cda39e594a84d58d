import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CURRENCY_PATTERN, MAX_AMOUNT } from '../../../../shared/domain/money';
import { MAX_STOCK } from '../../domain/product';

export class CreateProductRequest {
  @ApiProperty({ example: 'Limited sneakers', minLength: 1, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 1999, minimum: 1, maximum: MAX_AMOUNT, description: 'Unit price in minor units' })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  price: number;

  @ApiProperty({ example: 'USD', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' })
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'must be 3 uppercase letters (ISO 4217)' })
  currency: string;

  @ApiProperty({ example: 300, minimum: 0, maximum: MAX_STOCK, description: 'Units for sale' })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock: number;
}
