import { ApiProperty } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import { PageMeta } from '../../../../shared/http/pagination';
import type { Product } from '../../domain/product';
import { isoTime } from '../../../../shared/time/iso-time';

export class ProductResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Limited sneakers' }) name: string;
  @ApiProperty({ example: 1999, description: 'Unit price in minor units' }) price: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: 300, description: 'Always available_stock + reserved_stock + sold_stock' })
  total_stock: number;
  @ApiProperty({ example: 280 }) available_stock: number;
  @ApiProperty({ example: 15, description: 'Held by active holds and unpaid orders' }) reserved_stock: number;
  @ApiProperty({ example: 5 }) sold_stock: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 2,
    description:
      'The most units one account may have in active holds, pending and paid orders; null: no limit',
  })
  max_per_account: number | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static from(product: Product): ProductResponse {
    return {
      id: product.id,
      name: product.name,
      price: toJsonAmount(product.price),
      currency: product.currency,
      total_stock: product.totalStock,
      available_stock: product.availableStock,
      reserved_stock: product.reservedStock,
      sold_stock: product.soldStock,
      // A product cached before the column existed has none.
      max_per_account: product.maxPerAccount ?? null,
      created_at: isoTime(product.createdAt),
      updated_at: isoTime(product.updatedAt),
    };
  }
}

export class ProductPageResponse extends PageMeta {
  @ApiProperty({ type: [ProductResponse] }) data: ProductResponse[];
}
