import { ApiProperty } from '@nestjs/swagger';
import { HOLD_STATUSES, type Hold, type HoldStatus } from '../../domain/hold';
import { isoTime } from '../../../../shared/time/iso-time';

export class HoldResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) product_id: string;
  @ApiProperty({ format: 'uuid' }) account_id: string;
  @ApiProperty({ example: 1 }) quantity: number;
  @ApiProperty({
    enum: HOLD_STATUSES,
    description: 'An active hold past `expires_at` is shown as `expired` (its units return within seconds)',
  })
  status: HoldStatus;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
  @ApiProperty({
    example: 120,
    description: 'How long the hold reserves its units (HOLD_TTL_SECONDS when placed)',
  })
  reserved_for_seconds: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static from(hold: Hold): HoldResponse {
    return {
      id: hold.id,
      product_id: hold.productId,
      account_id: hold.accountId,
      quantity: hold.quantity,
      status: hold.status,
      expires_at: isoTime(hold.expiresAt),
      reserved_for_seconds: Math.round((hold.expiresAt.getTime() - hold.createdAt.getTime()) / 1000),
      created_at: isoTime(hold.createdAt),
    };
  }
}
