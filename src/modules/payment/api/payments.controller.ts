import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminOnly, Authenticated, CurrentCaller, Public } from '../../../shared/http/auth';
import { type Caller } from '../../../shared/domain/caller';
import { answerWith } from '../../../shared/idempotency/idempotent-call';
import { ProblemDetails } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import { Idempotent } from '../../../shared/idempotency/idempotent.decorator';
import { IdempotencyKeyHeader } from '../../../shared/idempotency/idempotency-key.decorator';
import { OrderResponse } from '../../order/api/dto/order.response';
import { PayOrderService } from '../application/pay-order.service';
import { ProcessWebhookService } from '../application/process-webhook.service';
import { ReconcileService } from '../application/reconcile.service';
import { RefundOrderService } from '../application/refund-order.service';
import { PayOrderRequest } from './dto/pay-order.request';
import { RefundOrderRequest } from './dto/refund-order.request';
import { PaymentWebhookRequest, WebhookAnswerResponse } from './dto/payment-webhook.request';
import { ReconciliationResponse } from './dto/reconciliation.response';
import { WebhookSignatureGuard } from './webhook-signature.guard';

const BUSY = '`wallet_busy`: the wallet or order lock could not be had in time (with `Retry-After`)';

@ApiTags('payments')
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
    summary: 'Pay an order from a wallet (owner)',
    description:
      "The wallet debit (a ledger entry referencing the order), the payment and the order's move to `paid` " +
      '(units reserved -> sold) commit together: never a charge without a paid order, never two charges.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderResponse, description: 'The order, `paid`, with its `payment`' })
  @ApiBadRequestResponse({ type: ProblemDetails, description: '`validation_failed`' })
  @ApiNotFoundResponse({
    type: ProblemDetails,
    description: '`not_found`: unknown order or wallet, or one of another account',
  })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: '`order_not_payable`: the order is not pending payment, or is past `payment_due_at`',
  })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description: '`insufficient_funds`; `currency_mismatch`: the wallet and the order currencies differ',
  })
  @ApiServiceUnavailableResponse({ type: ProblemDetails, description: BUSY })
  async pay(
    @CurrentCaller() caller: Caller,
    @UuidParam('id') id: string,
    @Body() body: PayOrderRequest,
  ): Promise<OrderResponse> {
    return answerWith(OrderResponse.from, () =>
      this.payOrder.execute({ orderId: id, walletId: body.wallet_id, accountId: caller.accountId }),
    );
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
      'all that is left': { value: {} },
      'part of it': { value: { amount: 1000, reason: 'One item arrived damaged' } },
    },
  })
  @ApiOkResponse({ type: OrderResponse, description: 'The order, `partially_refunded` or `refunded`' })
  @ApiBadRequestResponse({ type: ProblemDetails, description: '`validation_failed`' })
  @ApiNotFoundResponse({ type: ProblemDetails, description: '`not_found`' })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: '`order_not_refundable`: the order was never paid, or nothing is left to refund',
  })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description:
      '`refund_exceeds_payment`: `amount` is more than what is left to refund; `balance_limit_exceeded`: the ' +
      'credit would take the paying wallet past 9007199254740991',
  })
  @ApiServiceUnavailableResponse({ type: ProblemDetails, description: BUSY })
  async refund(
    @UuidParam('id') id: string,
    @Body() body: RefundOrderRequest,
    @IdempotencyKeyHeader() idempotencyKey: string,
    @CurrentCaller() caller: Caller,
  ): Promise<OrderResponse> {
    return answerWith(OrderResponse.from, () =>
      this.refundOrder.execute({
        orderId: id,
        amount: body.amount === undefined ? undefined : BigInt(body.amount),
        reason: body.reason,
        idempotencyKey,
        caller,
      }),
    );
  }
}

@ApiTags('payments')
@Controller('api/payments')
export class PaymentWebhooksController {
  constructor(private readonly processWebhook: ProcessWebhookService) {}

  @Post('webhook')
  @Public()
  @UseGuards(WebhookSignatureGuard)
  @ApiOperation({
    summary: 'Receive a signed payment event (Standard Webhooks)',
    description:
      'Signed with `webhook-id`, `webhook-timestamp` (unix seconds, within 300 s either way) and `webhook-signature` ' +
      '(space-separated `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{raw body}")>`; the key is the base64 part of a ' +
      '`whsec_` WEBHOOK_SECRET, else its UTF-8 bytes). Each webhook-id has one effect: a repeated delivery gets the ' +
      'first answer again. An event for an order that does not exist yet is kept (202 `pending`) and applied in the ' +
      'transaction that creates the order. Orders only move forward: `payment.succeeded` pays a pending order, ' +
      '`payment.failed` cancels it, a late failure after payment changes nothing, a success for a cancelled order ' +
      'is shown as `payment.status: refund_required`, and an amount or currency that does not match is `ignored`. ' +
      'Tolerant reader: unknown fields anywhere in the body are ignored (senders add fields over time); the known ' +
      'ones are validated, and `data` must be an object. Not rate limited.',
  })
  @ApiHeader({ name: 'webhook-id', required: true, description: '1 to 255 characters; one effect per id' })
  @ApiHeader({ name: 'webhook-timestamp', required: true })
  @ApiHeader({ name: 'webhook-signature', required: true })
  @ApiBody({ type: PaymentWebhookRequest })
  @ApiOkResponse({ type: WebhookAnswerResponse, description: '`processed` or `ignored` (with `reason`)' })
  @ApiAcceptedResponse({
    type: WebhookAnswerResponse,
    description: '`pending`: the order does not exist yet',
  })
  @ApiBadRequestResponse({ type: ProblemDetails, description: '`validation_failed`' })
  @ApiUnauthorizedResponse({ type: ProblemDetails, description: '`invalid_signature`' })
  async receive(
    @Body() body: PaymentWebhookRequest,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    const answer = await this.processWebhook.execute(
      {
        id: String(req.headers['webhook-id']),
        type: body.type,
        paymentId: body.data.payment_id,
        orderId: body.data.order_id ?? null,
        holdId: body.data.hold_id ?? null,
        amount: BigInt(body.data.amount),
        currency: body.data.currency,
      },
      body,
    );
    reply.status(answer.status);
    return answer.body;
  }
}

@ApiTags('operations')
@Controller('api/admin')
export class ReconciliationController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Get('reconciliation')
  @AdminOnly()
  @ApiOperation({
    summary: 'Check the money and stock invariants (admin)',
    description:
      "Every wallet balance equals its ledger sum; every product's stock splits into available + reserved + sold, " +
      'reserved equals active holds plus pending orders and sold equals paid orders; no hold made two orders; no ' +
      'order was charged twice; no order was refunded more than it was paid (its `refunded_amount`, its refunds and ' +
      'their ledger credits agree); every paid order has a payment; every transfer is one debit and one credit of ' +
      'its amount, both referencing it. `details` names the rows that break a check, money and counts as integers. ' +
      'All checks read one consistent snapshot. ' +
      'The same report: `npm run reconcile`.',
  })
  @ApiOkResponse({ type: ReconciliationResponse })
  async report(): Promise<ReconciliationResponse> {
    return this.reconcile.execute();
  }
}
