import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsAmount, IsCurrency } from '../../../../shared/http/amount';
import { IsSafeText } from '../../../../shared/http/hostile-input';
import { TolerantReader } from '../../../../shared/http/validation';
import { ORDER_STATUSES } from '../../../order/domain/order';
import { PAYMENT_STATUSES } from '../../domain/payment-status';

export const PAYMENT_EVENT_TYPES = ['payment.succeeded', 'payment.failed'] as const;

export class PaymentEventData {
  @ApiProperty({
    example: 'pay_3Nf8a2',
    description: "The provider's payment id",
    minLength: 1,
    maxLength: 255,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @IsSafeText()
  payment_id: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The order paid for; at least one of order_id and hold_id',
  })
  @ValidateIf((data: PaymentEventData) => data.order_id !== undefined || data.hold_id === undefined)
  @IsUUID('all', { message: 'must be a UUID (order_id or hold_id is required)' })
  order_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The hold the order is (or will be) made from' })
  @ValidateIf((data: PaymentEventData) => data.hold_id !== undefined)
  @IsUUID('all')
  hold_id?: string;

  @ApiProperty({ example: 3998, description: 'Minor units; must equal the order amount' })
  @IsAmount()
  amount: number;

  @ApiProperty({
    example: 'USD',
    description: 'An ISO 4217 currency code in capitals',
    pattern: '^[A-Z]{3}$',
    minLength: 3,
    maxLength: 3,
  })
  @IsCurrency()
  currency: string;
}

/**
 * Standard Webhooks payload shape: `type`, optional `timestamp`, `data`. Senders add fields over
 * time, so unknown ones (here and in `data`) are dropped, not refused.
 */
@TolerantReader()
export class PaymentWebhookRequest {
  @ApiProperty({ enum: PAYMENT_EVENT_TYPES })
  @IsIn(PAYMENT_EVENT_TYPES)
  type: (typeof PAYMENT_EVENT_TYPES)[number];

  @ApiPropertyOptional({ format: 'date-time', description: 'When the event happened, as the sender saw it' })
  @IsOptional()
  @IsISO8601()
  timestamp?: string;

  @ApiProperty({ type: PaymentEventData })
  @IsDefined()
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => PaymentEventData)
  data: PaymentEventData;
}

export class WebhookAnswerResponse {
  @ApiProperty({ enum: ['processed', 'pending', 'ignored'] }) status: string;
  @ApiProperty({ description: 'The webhook-id of the delivery' }) event_id: string;
  @ApiPropertyOptional({ format: 'uuid' }) order_id?: string;
  @ApiPropertyOptional({ enum: ORDER_STATUSES }) order_status?: string;
  @ApiPropertyOptional({
    enum: PAYMENT_STATUSES,
    description:
      "The status of the payment this event's money is recorded as (`refund_required` for money paid twice), " +
      "else of the order's payment; absent when there is none",
  })
  payment_status?: string;
  @ApiPropertyOptional({
    description:
      'Why nothing changed: `amount_mismatch`, `currency_mismatch`, `already_applied` (the payment that paid the ' +
      'order), `refund_already_required` (this payment is recorded already as money owed back), ' +
      '`order_refunded`, `order_paid`, `order_partially_refunded`, `order_cancelled`',
  })
  reason?: string;
}
