import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class CreateOrderRequest {
  @ApiProperty({ format: 'uuid', description: 'An active hold of the calling account' })
  @IsUUID('all')
  hold_id: string;
}
