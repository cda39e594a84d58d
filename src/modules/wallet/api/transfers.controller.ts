import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { type Caller } from '../../../shared/domain/caller';
import { Creates } from '../../../shared/http/location';
import { ValidationFailedError } from '../../../shared/http/http-errors';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import type { Transfer } from '../domain/transfer';
import { GetTransferService } from '../application/get-transfer.service';
import { TransferMoneyService } from '../application/transfer-money.service';
import { CreateTransferRequest } from './dto/create-transfer.request';
import { TransferResponse } from './dto/transfer.response';

@ApiTags('wallets')
@Controller('api/transfers')
export class TransfersController {
  constructor(
    private readonly transferMoney: TransferMoneyService,
    private readonly getTransfer: GetTransferService,
  ) {}

  @Post()
  @Creates('/api/transfers', TransferResponse)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Move money from one wallet to another (owner of the source wallet, or admin)',
    description:
      "Put your wallet in `from_wallet_id` and another account's wallet (same currency) in `to_wallet_id`: a " +
      "customer has one wallet per currency, so try it with a second customer's wallet. " +
      "A debit of the source and a credit of the destination (any account's wallet, by id, in the same " +
      'currency) commit together, both ledger entries referencing the transfer (`reference_type: transfer`). ' +
      'Wallets are locked in one global order, so opposite transfers between two wallets at the same time never ' +
      'deadlock and never fail for it; transfers out of a busy wallet are decided in groups, in arrival order.',
  })
  @ApiProblems({
    400: '`validation_failed` (also: the same wallet on both sides)',
    404: '`not_found`: unknown source wallet or one of another account, or unknown destination',
    422:
      '`insufficient_funds`: the source balance is below `amount`; `currency_mismatch`: the wallets hold different ' +
      'currencies; `balance_limit_exceeded`: the destination would pass 9007199254740991',
    503: '`wallet_busy`: a wallet lock could not be had in time (with `Retry-After`)',
  })
  async create(
    @Body() body: CreateTransferRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(TransferResponse.of) idempotent: IdempotentRequest<Transfer>,
  ): Promise<TransferResponse> {
    if (body.from_wallet_id === body.to_wallet_id) {
      throw new ValidationFailedError([
        { field: 'to_wallet_id', message: 'must differ from from_wallet_id' },
      ]);
    }
    return TransferResponse.of(
      await this.transferMoney.execute(
        {
          fromWalletId: body.from_wallet_id,
          toWalletId: body.to_wallet_id,
          amount: BigInt(body.amount),
          description: body.description,
          idempotencyKey: idempotent.key,
          caller,
        },
        idempotent,
      ),
    );
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'A transfer (the owner of either wallet, or admin)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TransferResponse })
  @ApiProblems({
    400: '`validation_failed`: the id is not a UUID',
    404: '`not_found`: no such transfer, or neither wallet is the caller’s',
  })
  async get(@UuidParam('id') id: string, @CurrentCaller() caller: Caller): Promise<TransferResponse> {
    return TransferResponse.of(await this.getTransfer.execute(id, caller));
  }
}
