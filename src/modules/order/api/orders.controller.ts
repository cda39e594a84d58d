import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Creates } from '../../../shared/http/location';
import { Authenticated, CurrentCaller } from '../../../shared/http/auth';
import type { Caller } from '../../../shared/domain/caller';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import { CreateOrderService } from '../application/create-order.service';
import { CancelOrderService } from '../application/cancel-order.service';
import { GetOrderService } from '../application/get-order.service';
import { CreateOrderRequest } from './dto/create-order.request';
import { OrderResponse } from './dto/order.response';
import type { OrderView } from '../application/order-view';

@ApiTags('orders')
@Controller('api/orders')
@Authenticated()
export class OrdersController {
  constructor(
    private readonly createOrder: CreateOrderService,
    private readonly getOrder: GetOrderService,
    private readonly cancelOrder: CancelOrderService,
  ) {}

  @Post()
  @Creates('/api/orders', OrderResponse)
  @Idempotent()
  @ApiOperation({
    summary: 'Make an order from a hold',
    description:
      'The hold becomes `consumed` and its units stay reserved, now by the order, until it is paid ' +
      'or cancelled. A hold makes at most one order. An order unpaid at `payment_due_at` ' +
      '(ORDER_PAYMENT_TTL_SECONDS) is cancelled and its units return to available.',
  })
  @ApiProblems({
    400: '`validation_failed`',
    404: '`not_found`: unknown hold, or a hold of another account',
    409: '`hold_not_active`: the hold was released or already made an order',
    410: '`hold_expired`: the hold is past its `expires_at`',
    422:
      '`amount_too_large`: price × quantity is past 9007199254740991, the largest amount (only for a hold placed ' +
      'before holds were refused for it); the hold stays active until released or expired',
    503: '`resource_busy`',
  })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateOrderRequest,
    @IdempotentRequestOf(OrderResponse.from) idempotent: IdempotentRequest<OrderView> | undefined,
  ): Promise<OrderResponse> {
    return OrderResponse.from(await this.createOrder.execute(caller, body.hold_id, idempotent));
  }

  @Get(':id')
  @ApiOperation({ summary: 'An order (owner or admin)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderResponse })
  @ApiProblems({
    400: '`validation_failed`: id is not a UUID',
    404: '`not_found` (also for an order of another account)',
  })
  async get(@CurrentCaller() caller: Caller, @UuidParam('id') id: string): Promise<OrderResponse> {
    return OrderResponse.from(await this.getOrder.execute(caller, id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Cancel an unpaid order (owner or admin)',
    description: 'Its units return to available. Cancelling a cancelled order returns it unchanged.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderResponse })
  @ApiProblems({
    400: '`validation_failed`: id is not a UUID',
    404: '`not_found` (also for an order of another account)',
    409: '`order_not_cancellable`: the order is paid or refunded',
    503: '`resource_busy`',
  })
  async cancel(
    @CurrentCaller() caller: Caller,
    @UuidParam('id') id: string,
    @IdempotentRequestOf(OrderResponse.from) idempotent: IdempotentRequest<OrderView> | undefined,
  ): Promise<OrderResponse> {
    return OrderResponse.from(await this.cancelOrder.execute(caller, id, idempotent));
  }
}
