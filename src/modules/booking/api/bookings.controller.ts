import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { type Caller } from '../../../shared/domain/caller';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import { CreateBookingService } from '../application/create-booking.service';
import { CancelBookingService } from '../application/cancel-booking.service';
import { GetBookingService } from '../application/get-booking.service';
import { travelerFromJson as toTraveler } from '../domain/traveler-json';
import { BookingResponse } from './dto/booking.response';
import { CreateBookingRequest } from './dto/create-booking.request';
import type { Booking } from '../domain/booking';

@ApiTags('travel')
@Controller('api/bookings')
export class BookingsController {
  constructor(
    private readonly createBooking: CreateBookingService,
    private readonly getBooking: GetBookingService,
    private readonly cancelBooking: CancelBookingService,
  ) {}

  @Post()
  @HttpCode(202)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Book a flight or hotel offer, paid from a wallet',
    description:
      'The offer is priced by its provider, and the travellers are checked against what that pricing requires ' +
      '(one traveller per passenger; the fields it asks for): missing ones are a 422 `traveler_details_required` ' +
      'naming each, before any debit. Then the wallet is debited that price and the booking created `pending` ' +
      'in one transaction. A queue job books exactly that priced offer, with retries and exponential backoff: ' +
      'success makes the booking `confirmed` with a `confirmation_code` and `provider_reference` (booked for ' +
      'less: the difference is refunded; for more: cancelled at the provider, `failed` with `failure_reason: ' +
      '"price_changed"`, refunded); a refusal, or every attempt failing, makes it `failed` and refunds the debit ' +
      'exactly once. When the provider may have booked but cannot say (a create that timed out and cannot be ' +
      'looked up), the booking becomes `action_required`: neither refunded nor booked again until an operator ' +
      'resolves it. Poll GET /api/bookings/{id} for the outcome.',
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
      'the wallet is not in the offer currency; `offer_unavailable`: the offer can no longer be booked; ' +
      '`traveler_details_required`: the travellers do not match the offer or lack fields its pricing requires ' +
      '(`errors` names each)',
    502: '`provider_unavailable`: the offer could not be checked',
    503: '`wallet_busy` (see `Retry-After`)',
  })
  async create(
    @Body() body: CreateBookingRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(BookingResponse.of) idempotent: IdempotentRequest<Booking>,
  ): Promise<BookingResponse> {
    return BookingResponse.of(
      await this.createBooking.execute(
        {
          caller,
          type: body.type,
          offerId: body.offer_id,
          walletId: body.wallet_id,
          travelers: [body.traveler, ...(body.travelers ?? [])].map(toTraveler),
          idempotencyKey: idempotent.key,
        },
        idempotent,
      ),
    );
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Authenticated()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Cancel a confirmed booking at its provider, and refund it (owner or admin)',
    description:
      'Cancels the booking through its provider (Amadeus flight order cancel, Booking.com orders/cancel), then ' +
      'credits the wallet what the booking cost, once, and marks it `cancelled`. Of two cancels of one booking ' +
      'only one reaches the provider; the other is a 409.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: BookingResponse, description: 'The booking, `cancelled`' })
  @ApiProblems({
    400: '`validation_failed`: the id is not a UUID',
    404: "`not_found`: unknown, or another account's",
    409: '`booking_not_cancellable`: not `confirmed` (or being cancelled), or the provider will not cancel it',
    502: '`provider_unavailable`: the provider could not be reached; nothing changed, retry',
    503: '`wallet_busy` (see `Retry-After`)',
  })
  async cancel(
    @UuidParam('id') id: string,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(BookingResponse.of) idempotent: IdempotentRequest<Booking>,
  ): Promise<BookingResponse> {
    return BookingResponse.of(await this.cancelBooking.execute(id, caller, idempotent));
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
