import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../../shared/http/auth';
import { ValidationFailedError } from '../../../shared/http/http-errors';
import { CursorCodec, DEFAULT_PAGE_SIZE } from '../../../shared/http/pagination';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import { ListPaymentsService } from '../application/list-payments.service';
import { ResolvePaymentService } from '../application/resolve-payment.service';
import {
  AdminPaymentPage,
  AdminPaymentResponse,
  ListPaymentsQuery,
  ResolvePaymentRequest,
} from './dto/admin-payment.dto';
import type { Payment } from '../domain/payment';

@ApiTags('payments')
@Controller('api/admin/payments')
export class AdminPaymentsController {
  constructor(
    private readonly listPayments: ListPaymentsService,
    private readonly resolvePayment: ResolvePaymentService,
    private readonly cursors: CursorCodec,
  ) {}

  @Get()
  @AdminOnly()
  @ApiOperation({
    summary: 'Payments, newest first (admin, cursor-paginated)',
    description:
      '`?status=refund_required` lists the money owed back: a success that arrived for a cancelled order, or of ' +
      'another payment for an order already paid. An order can thus have two payments here: the one that paid it ' +
      '(the one `GET /api/orders/{id}` shows) and the money to return.',
  })
  @ApiOkResponse({ type: AdminPaymentPage })
  @ApiProblems({
    400: '`validation_failed`: unknown status, bad limit or cursor, unknown parameter',
  })
  async list(@Query() query: ListPaymentsQuery): Promise<AdminPaymentPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.listPayments.execute(limit, query.status, this.cursors.decode(query.cursor));
    return this.cursors.page(rows, limit, AdminPaymentResponse.of);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @AdminOnly()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Settle a refund_required payment (admin)',
    description:
      "With `wallet_id`: the money is credited to that wallet (a wallet of the order's account, in the payment's " +
      'currency; one ' +
      '`credit` ledger entry referencing the order). With `external_reference`: the money was returned at the ' +
      'payment provider, and this records it. Exactly one of the two. Either way the payment becomes `refunded`, ' +
      "once. For a cancelled order, the order's `payment.status` and `refunded_amount` follow and it stays " +
      '`cancelled`; for money paid twice on a paid order, the order and the payment that paid it do not change.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The payment id' })
  @ApiBody({
    type: ResolvePaymentRequest,
    examples: {
      'to a wallet': { value: { wallet_id: '3c2b1a09-8f7e-4d6c-9b5a-4a3b2c1d0e9f' } },
      'returned by the provider': { value: { external_reference: 're_3Nf8a2' } },
    },
  })
  @ApiOkResponse({ type: AdminPaymentResponse, description: 'The payment, `refunded`' })
  @ApiProblems({
    400: '`validation_failed` (also: neither or both of `wallet_id` and `external_reference`)',
    404: '`not_found`: unknown payment or wallet',
    409: '`payment_not_resolvable`: the payment is not `refund_required` (settled already, or never owed)',
    422:
      "`wallet_not_eligible`: the wallet is not one of the order's account; `currency_mismatch`: the wallet holds " +
      "another currency than the payment's; `balance_limit_exceeded`",
    503: '`wallet_busy`: the wallet or order lock could not be had in time (with `Retry-After`)',
  })
  async resolve(
    @UuidParam('id') id: string,
    @Body() body: ResolvePaymentRequest,
    @IdempotentRequestOf(AdminPaymentResponse.of) idempotent: IdempotentRequest<Payment> | undefined,
  ): Promise<AdminPaymentResponse> {
    if ((body.wallet_id === undefined) === (body.external_reference === undefined)) {
      throw new ValidationFailedError([
        { field: 'wallet_id', message: 'give exactly one of wallet_id and external_reference' },
      ]);
    }
    return AdminPaymentResponse.of(
      await this.resolvePayment.execute(
        {
          paymentId: id,
          walletId: body.wallet_id,
          externalReference: body.external_reference,
        },
        idempotent,
      ),
    );
  }
}
