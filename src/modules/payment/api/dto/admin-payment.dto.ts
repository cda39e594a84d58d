import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { toJsonAmount } from '../../../../shared/domain/money';
import { IsSafeText } from '../../../../shared/http/hostile-input';
import { PageMeta, PaginationQuery } from '../../../../shared/http/pagination';
import {
  PAYMENT_METHODS,
  type PaymentMethod,
  PAYMENT_STATUSES,
  type PaymentStatus,
} from '../../domain/payment-status';
import type { Payment } from '../../domain/payment';
import { isoTime } from '../../../../shared/time/iso-time';

export class ListPaymentsQuery extends PaginationQuery {
  @ApiPropertyOptional({
    enum: PAYMENT_STATUSES,
    description:
      '`refund_required`: money owed back, that arrived for a cancelled order or for an order another payment ' +
      'had paid',
  })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: PaymentStatus;
}

export class ResolvePaymentRequest {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Credit the money to this wallet (one of the order's account, in the payment's currency)",
  })
  @IsOptional()
  @IsUUID('all')
  wallet_id?: string;

  @ApiPropertyOptional({
    example: 're_3Nf8a2',
    maxLength: 255,
    description: "Or: the provider's reference of the money it returned",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @IsSafeText()
  external_reference?: string;
}

export class AdminPaymentResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) order_id: string;
  @ApiProperty({ enum: PAYMENT_METHODS }) method: PaymentMethod;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status: PaymentStatus;
  @ApiProperty({ example: 3998, description: 'Minor units' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: String, nullable: true, description: "The provider's payment id (external payments)" })
  external_payment_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static of(payment: Payment): AdminPaymentResponse {
    return {
      id: payment.id,
      order_id: payment.orderId,
      method: payment.method,
      status: payment.status,
      amount: toJsonAmount(payment.amount),
      currency: payment.currency.trim(),
      external_payment_id: payment.externalPaymentId,
      created_at: isoTime(payment.createdAt),
      updated_at: isoTime(payment.updatedAt),
    };
  }
}

export class AdminPaymentPage extends PageMeta {
  @ApiProperty({ type: [AdminPaymentResponse], description: 'Newest first' }) data: AdminPaymentResponse[];
}
