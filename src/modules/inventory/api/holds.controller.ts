import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Creates } from '../../../shared/http/location';
import { Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { type Caller } from '../../../shared/domain/caller';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import type { Hold } from '../domain/hold';
import { GetHoldService } from '../application/get-hold.service';
import { PlaceHoldService } from '../application/place-hold.service';
import { ReleaseHoldService } from '../application/release-hold.service';
import { CreateHoldRequest } from './dto/create-hold.request';
import { HoldResponse } from './dto/hold.response';

@ApiTags('holds')
@Controller('api/holds')
@Authenticated()
export class HoldsController {
  constructor(
    private readonly placeHold: PlaceHoldService,
    private readonly getHold: GetHoldService,
    private readonly releaseHold: ReleaseHoldService,
  ) {}

  @Post()
  @Creates('/api/holds', HoldResponse)
  @Idempotent()
  @ApiOperation({
    summary: 'Reserve units of a product',
    description:
      'Moves `quantity` units from available to reserved for HOLD_TTL_SECONDS. An unused hold then ' +
      'expires and its units return to available. Never reserves more units than exist, whatever the concurrency.',
  })
  @ApiProblems({
    400: '`validation_failed`',
    404: '`not_found`: unknown product',
    409:
      '`insufficient_stock`; `limit_exceeded`: the account would have more units of the product than its ' +
      '`max_per_account` (active holds, pending and paid orders together)',
    422:
      '`amount_too_large`: price × quantity would pass 9007199254740991, the largest amount an order can carry; ' +
      'nothing is reserved',
    503: '`resource_busy`: the product lock could not be had in time (retry after `Retry-After`)',
  })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateHoldRequest,
    @IdempotentRequestOf(HoldResponse.from) idempotent: IdempotentRequest<Hold> | undefined,
  ): Promise<HoldResponse> {
    return HoldResponse.from(
      await this.placeHold.execute(caller, body.product_id, body.quantity, idempotent),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'A hold of the calling account' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HoldResponse })
  @ApiProblems({
    400: '`validation_failed`: id is not a UUID',
    404: '`not_found` (also for a hold of another account)',
  })
  async get(@CurrentCaller() caller: Caller, @UuidParam('id') id: string): Promise<HoldResponse> {
    return HoldResponse.from(await this.getHold.execute(caller, id));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Release a hold',
    description:
      'The hold becomes `released` and its units return to available, exactly once. Releasing a ' +
      'released or expired hold returns it unchanged; a hold past its deadline is expired instead.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HoldResponse })
  @ApiProblems({
    400: '`validation_failed`: id is not a UUID',
    404: '`not_found` (also for a hold of another account)',
    409: '`hold_not_active`: the hold made an order',
    503: '`resource_busy`',
  })
  async release(@CurrentCaller() caller: Caller, @UuidParam('id') id: string): Promise<HoldResponse> {
    return HoldResponse.from(await this.releaseHold.execute(caller, id));
  }
}
