import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class PayOrderRequest {
  @ApiProperty({ format: 'uuid', description: "A wallet of the order's account, in the order's currency" })
  @IsUUID('all')
  wallet_id: string;
}
