import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import type { OrderView, PaymentSummary } from '../../application/order-view';
import { ORDER_STATUSES, type OrderStatus } from '../../domain/order';
import { isoTime } from '../../../../shared/time/iso-time';

/**
 * The payment an order names, as JSON: its summary, in the API's names and with the amount in minor
 * units. Its OpenAPI schema (`OrderPaymentResponse`, with the payment's methods and statuses) is the
 * payment module's to describe: the order module does not know them, it passes on what the payment
 * module recorded.
 */
const paymentJson = (payment: PaymentSummary) => ({
  id: payment.id,
  method: payment.method,
  status: payment.status,
  wallet_transaction_id: payment.walletTransactionId,
  amount: toJsonAmount(payment.amount),
});

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
  @ApiProperty({ nullable: true, allOf: [{ $ref: getSchemaPath('OrderPaymentResponse') }] })
  payment: ReturnType<typeof paymentJson> | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static from(order: OrderView): OrderResponse {
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
      payment_due_at: isoTime(order.paymentDueAt),
      payment: order.payment && paymentJson(order.payment),
      created_at: isoTime(order.createdAt),
      updated_at: isoTime(order.updatedAt),
    };
  }
}
