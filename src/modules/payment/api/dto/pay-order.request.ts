import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID, ValidateIf } from 'class-validator';

/** Exactly one of `wallet_id` and `authorization_id`. */
export class PayOrderRequest {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "A wallet of the order's account, in the order's currency, debited by the order's amount (required unless " +
      '`authorization_id` is given)',
  })
  @ValidateIf((body: PayOrderRequest) => body.authorization_id === undefined || body.wallet_id !== undefined)
  @IsUUID('all')
  wallet_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "A pending authorization of the order's account, in the order's currency, of at least the order's amount: " +
      "the order's amount is captured from it (the rest released), in the same transaction as the order's " +
      'move to paid. Instead of `wallet_id`.',
  })
  @ValidateIf((body: PayOrderRequest) => body.authorization_id !== undefined)
  @IsUUID('all')
  authorization_id?: string;
}
