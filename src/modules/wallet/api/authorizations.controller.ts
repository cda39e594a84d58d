import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { type Caller } from '../../../shared/domain/caller';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import type { AuthorizationResult } from '../application/wallet-ledger.facade';
import { GetAuthorizationService } from '../application/get-authorization.service';
import { SettleAuthorizationService } from '../application/settle-authorization.service';
import { CaptureAuthorizationRequest } from './dto/authorization.request';
import { AuthorizationResponse } from './dto/authorization.response';

const NOT_FOUND = 'No such authorization, or it belongs to another account (`not_found`)';
const NOT_PENDING =
  '`authorization_not_pending`: it is captured, voided or expired (one found past `expires_at` is expired by ' +
  'this request, and its money released)';
const BUSY = "The wallet's lock could not be had in time (`wallet_busy`, with `Retry-After`)";

@ApiTags('wallets')
@Controller('api/authorizations')
export class AuthorizationsController {
  constructor(
    private readonly settle: SettleAuthorizationService,
    private readonly getAuthorization: GetAuthorizationService,
  ) {}

  @Get(':id')
  @Authenticated()
  @ApiOperation({
    summary: 'An authorization (owner or admin)',
    description:
      'As stored: a pending authorization past `expires_at` stays `pending` until its expiry runs (at once, by ' +
      "its delayed job or the sweeper behind it), and its wallet's `held` counts it until then.",
  })
  @ApiOkResponse({ type: AuthorizationResponse })
  @ApiProblems({ 400: '`validation_failed`: the id is not a UUID', 404: NOT_FOUND })
  async get(@UuidParam('id') id: string, @CurrentCaller() caller: Caller): Promise<AuthorizationResponse> {
    return AuthorizationResponse.of(await this.getAuthorization.execute(caller, id));
  }

  @Post(':id/capture')
  @HttpCode(200)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Take all or part of the authorized money (owner or admin)',
    description:
      'Takes `amount` (default: all of it) as one `debit` ledger entry of the wallet with `reference_type: ' +
      "authorization` and `reference_id` the authorization, and releases the rest: the wallet's `held` falls " +
      'by the whole authorized amount, its `balance` by the captured one. Once only: a second capture, or a ' +
      "capture of a voided or expired authorization, is `authorization_not_pending`. Decided in the wallet's " +
      'group commit with its debits, so a capture racing a void or the expiry has exactly one outcome.',
  })
  @ApiBody({
    type: CaptureAuthorizationRequest,
    examples: { 'part of it': { value: { amount: 3000 } }, 'all of it': { value: {} } },
  })
  @ApiOkResponse({ type: AuthorizationResponse, description: 'The authorization, `captured`' })
  @ApiProblems({
    400: '`validation_failed`',
    404: NOT_FOUND,
    409: NOT_PENDING,
    422: '`amount_exceeds_authorization`: `amount` is more than the authorized amount (nothing changes)',
    503: BUSY,
  })
  async capture(
    @UuidParam('id') id: string,
    @Body() body: CaptureAuthorizationRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(AuthorizationResponse.from) idempotent: IdempotentRequest<AuthorizationResult>,
  ): Promise<AuthorizationResponse> {
    const amount = body.amount === undefined ? undefined : BigInt(body.amount);
    return AuthorizationResponse.from(
      await this.settle.execute(caller, id, { kind: 'capture', amount }, idempotent),
    );
  }

  @Post(':id/void')
  @HttpCode(200)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Release the authorized money without taking any (owner or admin)',
    description:
      "The authorization becomes `voided` and its amount leaves the wallet's `held`: available again at once. " +
      'Only a pending authorization can be voided.',
  })
  @ApiOkResponse({ type: AuthorizationResponse, description: 'The authorization, `voided`' })
  @ApiProblems({ 400: '`validation_failed`', 404: NOT_FOUND, 409: NOT_PENDING, 503: BUSY })
  async void(
    @UuidParam('id') id: string,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(AuthorizationResponse.from) idempotent: IdempotentRequest<AuthorizationResult>,
  ): Promise<AuthorizationResponse> {
    return AuthorizationResponse.from(await this.settle.execute(caller, id, { kind: 'void' }, idempotent));
  }
}
