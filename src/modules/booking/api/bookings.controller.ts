import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { type Caller } from '../../../shared/domain/caller';
import { answerWith } from '../../../shared/idempotency/idempotent-call';
import { IdempotencyKeyHeader } from '../../../shared/idempotency/idempotency-key.decorator';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import { Idempotent } from '../../../shared/idempotency/idempotent.decorator';
import { CreateBookingService } from '../application/create-booking.service';
import { GetBookingService } from '../application/get-booking.service';
import { BookingResponse } from './dto/booking.response';
import { CreateBookingRequest } from './dto/create-booking.request';

@ApiTags('travel')
@Controller('api/bookings')
export class BookingsController {
  constructor(
    private readonly createBooking: CreateBookingService,
    private readonly getBooking: GetBookingService,
  ) {}

  @Post()
  @HttpCode(202)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Book a flight or hotel offer, paid from a wallet',
    description:
      'The offer is re-priced with its provider, then the wallet is debited and the booking created ' +
      '`pending` in one transaction. The provider call runs in a queue job with retries and exponential ' +
      'backoff: success makes the booking `confirmed` with a `confirmation_code`; a refusal, or every ' +
      'attempt failing, makes it `failed` with a `failure_reason` and refunds the debit exactly once. ' +
      'Poll GET /api/bookings/{id} for the outcome.',
  })
  @ApiAcceptedResponse({
    type: BookingResponse,
    description: 'The pending booking; the wallet is already debited',
  })
  @ApiProblems({
    400: '`validation_failed`',
    404: "`not_found`: unknown wallet, or another account's",
    422:
      '`insufficient_funds`: the balance is below the offer price (nothing is booked); `currency_mismatch`: ' +
      'the wallet is not in the offer currency; `offer_unavailable`: the offer can no longer be booked',
    502: '`provider_unavailable`: the offer could not be checked',
    503: '`wallet_busy` (see `Retry-After`)',
  })
  async create(
    @Body() body: CreateBookingRequest,
    @IdempotencyKeyHeader() idempotencyKey: string,
    @CurrentCaller() caller: Caller,
  ): Promise<BookingResponse> {
    return answerWith(BookingResponse.of, () =>
      this.createBooking.execute({
        caller,
        type: body.type,
        offerId: body.offer_id,
        walletId: body.wallet_id,
        traveler: {
          firstName: body.traveler.first_name,
          lastName: body.traveler.last_name,
          email: body.traveler.email,
        },
        idempotencyKey,
      }),
    );
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'A booking (owner or admin)' })
  @ApiOkResponse({ type: BookingResponse })
  @ApiProblems({
    400: '`validation_failed`: the id is not a UUID',
    404: "`not_found`: unknown, or another account's",
  })
  async get(@UuidParam('id') id: string, @CurrentCaller() caller: Caller): Promise<BookingResponse> {
    return BookingResponse.of(await this.getBooking.execute(id, caller));
  }
}
