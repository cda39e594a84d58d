import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, Authenticated, CurrentPrincipal, type Principal } from '../../../shared/http/auth';
import { ProblemDetails } from '../../../shared/http/problem-details';
import { answerWith } from '../../../shared/idempotency/idempotent-call';
import { Idempotent } from '../../../shared/idempotency/idempotent.decorator';
import { CreateAccountService } from '../application/create-account.service';
import { CreatedAccountResponse, MeResponse } from './dto/account.response';
import { CreateAccountRequest } from './dto/create-account.request';

@ApiTags('accounts')
@Controller('api/accounts')
export class AccountsController {
  constructor(private readonly createAccount: CreateAccountService) {}

  @Post()
  @HttpCode(201)
  @AdminOnly()
  @Idempotent({ required: false, secrets: ['api_key'] })
  @ApiOperation({
    summary: 'Create a customer account and its API key (admin)',
    description:
      'The API key is shown only in this answer and stored only as a hash: an idempotent replay of this ' +
      'request returns the account with `"api_key": null`.',
  })
  @ApiCreatedResponse({ type: CreatedAccountResponse })
  @ApiBadRequestResponse({ type: ProblemDetails, description: '`validation_failed`' })
  async create(@Body() body: CreateAccountRequest): Promise<CreatedAccountResponse> {
    return answerWith(CreatedAccountResponse.of, () => this.createAccount.execute(body.name));
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The account behind the presented API key' })
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentPrincipal() principal: Principal): MeResponse {
    return { id: principal.accountId, name: principal.name, role: principal.role };
  }
}
