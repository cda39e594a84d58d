import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { type Caller } from '../../../shared/domain/caller';
import { CursorCodec, DEFAULT_PAGE_SIZE, PaginationQuery } from '../../../shared/http/pagination';
import { ApiProblems } from '../../../shared/http/problem-details';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import { UuidParam } from '../../../shared/http/validation';
import { CreateAccountService } from '../application/create-account.service';
import { ManageAccountsService } from '../application/manage-accounts.service';
import {
  AccountPageResponse,
  AccountResponse,
  ApiKeyResponse,
  CreatedAccountResponse,
  MeResponse,
} from './dto/account.response';
import { CreateAccountRequest } from './dto/create-account.request';
import type { CreatedAccount } from '../application/create-account.service';

@ApiTags('accounts')
@Controller('api/accounts')
export class AccountsController {
  constructor(
    private readonly createAccount: CreateAccountService,
    private readonly accounts: ManageAccountsService,
    private readonly cursors: CursorCodec,
  ) {}

  @Post()
  @HttpCode(201)
  @AdminOnly()
  @Idempotent({ required: false })
  @ApiOperation({
    summary: 'Create a customer account and its API key (admin)',
    description:
      'The key is shown only in this answer and stored only as a hash: an idempotent replay answers the account ' +
      'with `api_key: null`. A lost key is replaced with POST /api/accounts/{id}/api-keys.',
  })
  @ApiCreatedResponse({ type: CreatedAccountResponse })
  @ApiProblems({
    400: '`validation_failed`',
  })
  async create(
    @Body() body: CreateAccountRequest,
    @IdempotentRequestOf(CreatedAccountResponse.of) idempotent: IdempotentRequest<CreatedAccount> | undefined,
  ): Promise<CreatedAccountResponse> {
    return CreatedAccountResponse.of(await this.createAccount.execute(body.name, idempotent));
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'Accounts, newest first (admin, cursor-paginated)' })
  @ApiOkResponse({ type: AccountPageResponse })
  @ApiProblems({
    400: '`validation_failed`: bad limit or cursor',
  })
  async list(@Query() query: PaginationQuery): Promise<AccountPageResponse> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    return this.cursors.page(
      await this.accounts.list(limit, this.cursors.decode(query.cursor)),
      limit,
      AccountResponse.from,
    );
  }

  @Post(':id/api-keys')
  @HttpCode(201)
  @AdminOnly()
  @Idempotent()
  @ApiOperation({
    summary: "Replace a customer's API key (admin)",
    description:
      'Issues a new key and answers it once; every older key of the account stops working within 5 seconds in ' +
      'every process. The admin key comes from ADMIN_API_KEY and is not rotated here.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiCreatedResponse({ type: ApiKeyResponse })
  @ApiProblems({
    400: '`validation_failed`: id is not a UUID',
    404: '`not_found`: no customer account with this id',
  })
  async rotateKey(
    @UuidParam('id') id: string,
    @IdempotentRequestOf(ApiKeyResponse.of) idempotent: IdempotentRequest<string> | undefined,
  ): Promise<ApiKeyResponse> {
    return ApiKeyResponse.of(await this.accounts.rotateApiKey(id, idempotent));
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The account behind the presented API key' })
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentCaller() caller: Caller): MeResponse {
    return { id: caller.accountId, name: caller.name, role: caller.role };
  }
}
