import { ApiProperty } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import {
  ORDER_STATUSES,
  type Order,
  type OrderStatus,
  PAYMENT_METHODS,
  PAYMENT_STATUSES,
  type PaymentMethod,
  type PaymentStatus,
} from '../../domain/order';

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

export class OrderResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) account_id: string;
  @ApiProperty({ format: 'uuid' }) hold_id: string;
  @ApiProperty({ format: 'uuid' }) product_id: string;
  @ApiProperty({ example: 2 }) quantity: number;
  @ApiProperty({ example: 1999, description: 'Product price when the order was made, in minor units' })
  unit_price: number;
  @ApiProperty({ example: 3998, description: 'unit_price × quantity, in minor units' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty({
    example: 0,
    description: 'Minor units given back so far (partial refunds add up), 0 .. amount',
  })
  refunded_amount: number;
  @ApiProperty({
    format: 'date-time',
    description: 'An order still unpaid then is cancelled and its units return to available',
  })
  payment_due_at: string;
  @ApiProperty({ type: OrderPaymentResponse, nullable: true }) payment: OrderPaymentResponse | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static from(order: Order): OrderResponse {
    return {
      id: order.id,
      account_id: order.accountId,
      hold_id: order.holdId,
      product_id: order.productId,
      quantity: order.quantity,
      unit_price: toJsonAmount(order.unitPrice),
      amount: toJsonAmount(order.amount),
      currency: order.currency,
      status: order.status,
      refunded_amount: toJsonAmount(order.refundedAmount),
      payment_due_at: order.paymentDueAt.toISOString(),
      payment: order.payment && {
        id: order.payment.id,
        method: order.payment.method,
        status: order.payment.status,
        wallet_transaction_id: order.payment.walletTransactionId,
        amount: toJsonAmount(order.payment.amount),
      },
      created_at: order.createdAt.toISOString(),
      updated_at: order.updatedAt.toISOString(),
    };
  }
}
