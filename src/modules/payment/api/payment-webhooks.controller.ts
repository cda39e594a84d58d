import { Body, Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../shared/http/auth';
import { ApiProblems } from '../../../shared/http/problem-details';
import { ProcessWebhookService } from '../application/process-webhook.service';
import { PaymentWebhookRequest, WebhookAnswerResponse } from './dto/payment-webhook.request';
import { MAX_WEBHOOK_ID_LENGTH, WebhookSignatureGuard } from './webhook-signature.guard';

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
      'A success of another payment for an order already paid (by wallet or by another provider payment; refunded ' +
      'since, or not) is money paid twice: it is kept as a payment of its own, `refund_required`, listed by ' +
      '`GET /api/admin/payments?status=refund_required` (answer `processed`, `payment_status: refund_required`); ' +
      'the order keeps showing the payment that paid it. A provider payment is recorded on an order once: its ' +
      'success again is `ignored` (`already_applied` or `refund_already_required`). ' +
      'Tolerant reader: unknown fields anywhere in the body are ignored (senders add fields over time); the known ' +
      'ones are validated, and `data` must be an object. A validly signed webhook is not rate limited; one whose ' +
      'signature fails counts against its IP address (429 `rate_limited` once over the limit).',
  })
  @ApiHeader({
    name: 'webhook-id',
    required: true,
    description: '1 to 255 characters; one effect per id',
    schema: { type: 'string', minLength: 1, maxLength: MAX_WEBHOOK_ID_LENGTH },
  })
  @ApiHeader({
    name: 'webhook-timestamp',
    required: true,
    description: 'Unix seconds, within 300 s of the server clock',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  })
  @ApiHeader({
    name: 'webhook-signature',
    required: true,
    description: 'Space-separated `v1,<base64 signature>` entries',
  })
  @ApiBody({ type: PaymentWebhookRequest })
  @ApiOkResponse({ type: WebhookAnswerResponse, description: '`processed` or `ignored` (with `reason`)' })
  @ApiAcceptedResponse({
    type: WebhookAnswerResponse,
    description: '`pending`: the order does not exist yet',
  })
  @ApiProblems({
    400: '`validation_failed`',
    401: '`invalid_signature`',
  })
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
