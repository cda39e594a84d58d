import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { MAX_HOLD_QUANTITY, MIN_HOLD_QUANTITY } from '../../domain/hold';

export class CreateHoldRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  product_id: string;

  @ApiProperty({ example: 1, minimum: MIN_HOLD_QUANTITY, maximum: MAX_HOLD_QUANTITY })
  @IsInt()
  @Min(MIN_HOLD_QUANTITY)
  @Max(MAX_HOLD_QUANTITY)
  quantity: number;
}
