import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { type Caller } from '../../../shared/domain/caller';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { ApiProblems } from '../../../shared/http/problem-details';
import { ValidationFailedError } from '../../../shared/http/http-errors';
import { UuidParam } from '../../../shared/http/validation';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import { OrderResponse } from '../../order/api/dto/order.response';
import { PayOrderService } from '../application/pay-order.service';
import { RefundOrderService } from '../application/refund-order.service';
import { OrderPaymentResponse } from './dto/order-payment.response';
import { PayOrderRequest } from './dto/pay-order.request';
import { RefundOrderRequest } from './dto/refund-order.request';
import type { OrderView } from '../../order/application/order-view';

const BUSY = '`wallet_busy`: the wallet or order lock could not be had in time (with `Retry-After`)';

@ApiTags('payments')
// The schema of an order's `payment`, which OrderResponse names: the payment module describes it.
@ApiExtraModels(OrderPaymentResponse)
@Controller('api/orders')
export class OrderPaymentsController {
  constructor(
    private readonly payOrder: PayOrderService,
    private readonly refundOrder: RefundOrderService,
  ) {}

  @Post(':id/pay')
  @HttpCode(200)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Pay an order from a wallet or an authorization (owner)',
    description:
      "The wallet debit (a ledger entry referencing the order), the payment and the order's move to `paid` " +
      '(units reserved -> sold) commit together: never a charge without a paid order, never two charges. ' +
      "With `authorization_id` instead of `wallet_id`, the order's amount is captured from that pending " +
      'authorization (one `debit` entry with `reference_type: authorization`, the rest released) in the same ' +
      'transaction; a refused capture leaves the order and the authorization as they were.',
  })
  @ApiBody({
    type: PayOrderRequest,
    examples: {
      'from a wallet': { value: { wallet_id: '0f8e6d4c-2b1a-4c9e-8d7f-6a5b4c3d2e1f' } },
      'from an authorization': { value: { authorization_id: '1e3c5a7b-9d2f-4b6e-8a0c-3f5e7a9c1b2d' } },
    },
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderResponse, description: 'The order, `paid`, with its `payment`' })
  @ApiProblems({
    400: '`validation_failed` (also: both `wallet_id` and `authorization_id`, or neither)',
    404: '`not_found`: unknown order, wallet or authorization, or one of another account',
    409:
      '`order_not_payable`: the order is not pending payment, or is past `payment_due_at`; ' +
      '`authorization_not_pending`: the authorization is captured, voided or expired',
    422:
      '`insufficient_funds`; `currency_mismatch`: the wallet (or authorization) and the order currencies differ; ' +
      "`amount_exceeds_authorization`: the order's amount is more than the authorization holds",
    503: BUSY,
  })
  async pay(
    @CurrentCaller() caller: Caller,
    @UuidParam('id') id: string,
    @Body() body: PayOrderRequest,
    @IdempotentRequestOf(OrderResponse.from) idempotent: IdempotentRequest<OrderView>,
  ): Promise<OrderResponse> {
    if (body.wallet_id !== undefined && body.authorization_id !== undefined) {
      throw new ValidationFailedError([
        { field: 'authorization_id', message: 'give either wallet_id or authorization_id, not both' },
      ]);
    }
    const source =
      body.authorization_id !== undefined
        ? { authorizationId: body.authorization_id }
        : { walletId: body.wallet_id as string };
    return OrderResponse.from(await this.payOrder.execute({ orderId: id, caller, ...source }, idempotent));
  }

  @Post(':id/refund')
  @HttpCode(200)
  @AdminOnly()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Refund all or part of a paid order (admin)',
    description:
      'Without `amount`, all that is left is refunded. Partial refunds add up: the order carries `refunded_amount` ' +
      'and becomes `partially_refunded`, then `refunded` once `refunded_amount` equals `amount`; only then do its ' +
      'units return to available. `payment.status` follows (`succeeded -> partially_refunded -> refunded`). A ' +
      'wallet payment is credited back to the paying wallet, one `credit` ledger entry referencing the order per ' +
      'refund, exactly once per Idempotency-Key; concurrent refunds never add up to more than the payment.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({
    type: RefundOrderRequest,
    examples: {
      'part of it': { value: { amount: 1000, reason: 'One item arrived damaged' } },
      'all that is left': { value: {} },
    },
  })
  @ApiOkResponse({ type: OrderResponse, description: 'The order, `partially_refunded` or `refunded`' })
  @ApiProblems({
    400: '`validation_failed`',
    404: '`not_found`',
    409: '`order_not_refundable`: the order was never paid, or nothing is left to refund',
    422:
      '`refund_exceeds_payment`: `amount` is more than what is left to refund; `balance_limit_exceeded`: the ' +
      'credit would take the paying wallet past 9007199254740991',
    503: BUSY,
  })
  async refund(
    @UuidParam('id') id: string,
    @Body() body: RefundOrderRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(OrderResponse.from) idempotent: IdempotentRequest<OrderView>,
  ): Promise<OrderResponse> {
    return OrderResponse.from(
      await this.refundOrder.execute(
        {
          orderId: id,
          amount: body.amount === undefined ? undefined : BigInt(body.amount),
          reason: body.reason,
          idempotencyKey: idempotent.key,
          caller,
        },
        idempotent,
      ),
    );
  }
}
