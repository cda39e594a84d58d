import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Creates } from '../../../shared/http/location';
import { ValidationFailedError } from '../../../shared/http/http-errors';
import { AdminOnly, Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import { CursorCodec, DEFAULT_PAGE_SIZE, PaginationQuery } from '../../../shared/http/pagination';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import type { TransactionType, Wallet } from '../domain/wallet';
import type { RecordedTransaction } from '../application/wallet-ledger.facade';
import { CreateWalletService } from '../application/create-wallet.service';
import { GetWalletService } from '../application/get-wallet.service';
import { ListWalletTransactionsService } from '../application/list-wallet-transactions.service';
import { MoveMoneyService } from '../application/move-money.service';
import { AuthorizeWalletService } from '../application/authorize-wallet.service';
import type { AuthorizationResult } from '../application/wallet-ledger.facade';
import { CreateAuthorizationRequest } from './dto/authorization.request';
import { AuthorizationResponse } from './dto/authorization.response';
import { CreateWalletRequest, ListWalletsQuery } from './dto/create-wallet.request';
import { MoveMoneyRequest } from './dto/move-money.request';
import {
  WalletPage,
  WalletResponse,
  WalletTransactionPage,
  WalletTransactionResponse,
} from './dto/wallet.response';

const NOT_FOUND = 'No such wallet, or it belongs to another account (`not_found`)';
const BUSY = 'The wallet lock could not be had in time (`wallet_busy`, with `Retry-After`)';

@ApiTags('wallets')
@Controller('api/wallets')
export class WalletsController {
  constructor(
    private readonly createWallet: CreateWalletService,
    private readonly getWallet: GetWalletService,
    private readonly moveMoney: MoveMoneyService,
    private readonly listTransactions: ListWalletTransactionsService,
    private readonly authorize: AuthorizeWalletService,
    private readonly cursors: CursorCodec,
  ) {}

  @Post()
  @Creates('/api/wallets', WalletResponse)
  @Authenticated()
  @Idempotent({ required: false })
  @ApiOperation({
    summary: 'Open a wallet in a currency',
    description:
      'A customer opens a wallet for itself. The admin may pass `account_id` to open one for any account; ' +
      'without it, the wallet belongs to the admin account.',
  })
  @ApiBody({
    type: CreateWalletRequest,
    examples: {
      'your own wallet': { value: { currency: 'USD' } },
      "a customer's wallet (admin)": {
        value: { currency: 'EUR', account_id: '6f1d0c2e-4b3a-4e5f-8a7b-9c0d1e2f3a4b' },
      },
    },
  })
  @ApiProblems({
    400: '`validation_failed` (also: a customer naming another account in `account_id`)',
    404: 'The admin named an unknown account (`not_found`)',
    409: '`wallet_exists`: the account already has a wallet in that currency',
  })
  async create(
    @Body() body: CreateWalletRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(WalletResponse.of) idempotent: IdempotentRequest<Wallet> | undefined,
  ): Promise<WalletResponse> {
    if (!isAdmin(caller) && body.account_id !== undefined && body.account_id !== caller.accountId) {
      throw new ValidationFailedError([
        { field: 'account_id', message: 'can name only your own account with a customer key' },
      ]);
    }
    return WalletResponse.of(
      await this.createWallet.execute(body.account_id ?? caller.accountId, body.currency, idempotent),
    );
  }

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: "The caller's wallets, newest first (cursor-paginated)",
    description: "The admin passes `account_id` to list a customer's wallets.",
  })
  @ApiOkResponse({ type: WalletPage })
  @ApiProblems({
    400:
      '`validation_failed`: bad `limit`, `cursor` or `account_id`, an unknown parameter, or a customer naming ' +
      'another account',
  })
  async list(@Query() query: ListWalletsQuery, @CurrentCaller() caller: Caller): Promise<WalletPage> {
    if (!isAdmin(caller) && query.account_id !== undefined && query.account_id !== caller.accountId) {
      throw new ValidationFailedError([
        { field: 'account_id', message: 'can name only your own account with a customer key' },
      ]);
    }
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.getWallet.list(
      query.account_id ?? caller.accountId,
      limit + 1,
      this.cursors.decode(query.cursor),
    );
    return this.cursors.page(rows, limit, WalletResponse.of);
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({
    summary: 'A wallet and its balance (owner or admin)',
    description:
      '`balance` is what the ledger posted, `held` what pending authorizations hold of it, and `available` ' +
      '(`balance - held`) what debits, transfers and new authorizations may take.',
  })
  @ApiOkResponse({ type: WalletResponse })
  @ApiProblems({
    400: '`validation_failed`: the id is not a UUID',
    404: NOT_FOUND,
  })
  async get(@UuidParam('id') id: string, @CurrentCaller() caller: Caller): Promise<WalletResponse> {
    return WalletResponse.of(await this.getWallet.execute(id, caller));
  }

  @Post(':id/credit')
  @HttpCode(201)
  @AdminOnly()
  @Idempotent({ required: true })
  @ApiOperation({ summary: 'Add money to a wallet (admin)' })
  @ApiCreatedResponse({ type: WalletTransactionResponse, description: 'The credit ledger entry' })
  @ApiProblems({
    400: '`validation_failed`',
    404: NOT_FOUND,
    422: '`balance_limit_exceeded`: the balance would pass 9007199254740991',
    503: BUSY,
  })
  async credit(
    @UuidParam('id') id: string,
    @Body() body: MoveMoneyRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(WalletTransactionResponse.of) idempotent: IdempotentRequest<RecordedTransaction>,
  ): Promise<WalletTransactionResponse> {
    return this.move('credit', id, body, caller, idempotent);
  }

  @Post(':id/debit')
  @HttpCode(201)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({ summary: 'Take money out of a wallet (owner or admin)' })
  @ApiCreatedResponse({ type: WalletTransactionResponse, description: 'The debit ledger entry' })
  @ApiProblems({
    400: '`validation_failed`',
    404: NOT_FOUND,
    422:
      '`insufficient_funds`: the amount is larger than the available balance (`balance - held`; replayed as such ' +
      'for its key)',
    503: BUSY,
  })
  async debit(
    @UuidParam('id') id: string,
    @Body() body: MoveMoneyRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(WalletTransactionResponse.of) idempotent: IdempotentRequest<RecordedTransaction>,
  ): Promise<WalletTransactionResponse> {
    return this.move('debit', id, body, caller, idempotent);
  }

  @Post(':id/authorizations')
  @Creates('/api/authorizations', AuthorizationResponse)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Hold money of a wallet for a later capture (owner or admin)',
    description:
      "The amount moves from the wallet's `available` to its `held` (the balance does not change) until the " +
      'authorization is captured (`POST /api/authorizations/{id}/capture`), voided, or expires at `expires_at` ' +
      "(then its money is available again). Decided in the wallet's group commit with its debits: concurrent " +
      'authorizations and debits never take more than is available.',
  })
  @ApiBody({
    type: CreateAuthorizationRequest,
    examples: {
      'for a week (the default)': { value: { amount: 5000 } },
      'for an hour': { value: { amount: 5000, expires_in_seconds: 3600, description: 'Hotel deposit' } },
    },
  })
  @ApiProblems({
    400: '`validation_failed`',
    404: NOT_FOUND,
    422: '`insufficient_funds`: the amount is larger than the available balance (replayed as such for its key)',
    503: BUSY,
  })
  async createAuthorization(
    @UuidParam('id') id: string,
    @Body() body: CreateAuthorizationRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(AuthorizationResponse.from) idempotent: IdempotentRequest<AuthorizationResult>,
  ): Promise<AuthorizationResponse> {
    return AuthorizationResponse.from(
      await this.authorize.execute(
        {
          walletId: id,
          amount: BigInt(body.amount),
          expiresInSeconds: body.expires_in_seconds,
          description: body.description,
          idempotencyKey: idempotent.key,
          caller,
        },
        idempotent,
      ),
    );
  }

  @Get(':id/transactions')
  @Authenticated()
  @ApiOperation({ summary: "A wallet's ledger, newest first (owner or admin)" })
  @ApiOkResponse({ type: WalletTransactionPage })
  @ApiProblems({
    400: '`validation_failed`: bad id, `limit` outside 1..100 or a `cursor` this API did not return',
    404: NOT_FOUND,
  })
  async transactions(
    @UuidParam('id') id: string,
    @Query() query: PaginationQuery,
    @CurrentCaller() caller: Caller,
  ): Promise<WalletTransactionPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.listTransactions.execute(
      id,
      caller,
      limit + 1,
      this.cursors.decode(query.cursor),
    );
    return this.cursors.page(rows, limit, WalletTransactionResponse.of);
  }

  private async move(
    type: TransactionType,
    walletId: string,
    body: MoveMoneyRequest,
    caller: Caller,
    idempotent: IdempotentRequest<RecordedTransaction>,
  ): Promise<WalletTransactionResponse> {
    return WalletTransactionResponse.of(
      await this.moveMoney.execute(
        {
          type,
          walletId,
          amount: BigInt(body.amount),
          description: body.description,
          idempotencyKey: idempotent.key,
          caller,
        },
        idempotent,
      ),
    );
  }
}
