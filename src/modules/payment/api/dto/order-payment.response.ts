import { ApiProperty } from '@nestjs/swagger';
import {
  PAYMENT_METHODS,
  PAYMENT_STATUSES,
  type PaymentMethod,
  type PaymentStatus,
} from '../../domain/payment-status';

/**
 * The `payment` of an order's answer, as the OpenAPI document describes it. The order's answer
 * refers to this schema by name: the payment's methods and statuses are this module's.
 */
export class OrderPaymentResponse {
  @ApiProperty({
    format: 'uuid',
    description:
      "The payment's id, as `GET /api/admin/payments` lists it (an external payment's provider id is its " +
      '`external_payment_id` there)',
  })
  id: string;
  @ApiProperty({ enum: PAYMENT_METHODS }) method: PaymentMethod;
  @ApiProperty({
    enum: PAYMENT_STATUSES,
    description:
      '`refund_required`: the payment succeeded after the order was cancelled (settled by the admin, then ' +
      '`refunded`); `partially_refunded` and `refunded` follow the refunds of a paid order. A paid order always ' +
      'shows the payment that paid it, never money of a second payment (see `GET /api/admin/payments`)',
  })
  status: PaymentStatus;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) wallet_transaction_id: string | null;
  @ApiProperty({ example: 3998 }) amount: number;
}
