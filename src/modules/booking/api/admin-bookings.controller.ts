import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../../shared/http/auth';
import { ValidationFailedError } from '../../../shared/http/http-errors';
import { CursorCodec, DEFAULT_PAGE_SIZE } from '../../../shared/http/pagination';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import { BookingAdminService } from '../application/booking-admin.service';
import { BookingPage, ListBookingsQuery, ResolveBookingRequest } from './dto/admin-booking.dto';
import { BookingResponse } from './dto/booking.response';
import type { Booking } from '../domain/booking';

@ApiTags('travel')
@Controller('api/admin/bookings')
export class AdminBookingsController {
  constructor(
    private readonly admin: BookingAdminService,
    private readonly cursors: CursorCodec,
  ) {}

  @Get()
  @AdminOnly()
  @ApiOperation({
    summary: 'Bookings of every account, newest first (admin, cursor-paginated)',
    description:
      '`?status=action_required` lists the bookings whose outcome at the provider is unknown (a create that ' +
      'timed out and cannot be looked up by our reference, or a booking made above its price that the provider ' +
      'would not cancel): they are neither refunded nor booked again until resolved.',
  })
  @ApiOkResponse({ type: BookingPage })
  @ApiProblems({ 400: '`validation_failed`: unknown status, bad limit or cursor, unknown parameter' })
  async list(@Query() query: ListBookingsQuery): Promise<BookingPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.admin.list(limit, query.status, this.cursors.decode(query.cursor));
    return this.cursors.page(rows, limit, BookingResponse.of);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @AdminOnly()
  @Idempotent({ required: true })
  @ApiOperation({
    summary: 'Settle an action_required booking as found at the provider (admin)',
    description:
      'With `confirmation_code` and `provider_reference`: it was booked, and becomes `confirmed`. With ' +
      '`{ "failed": true }`: it was not, and becomes `failed`, its debit refunded to the wallet once.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The booking id' })
  @ApiBody({
    type: ResolveBookingRequest,
    examples: {
      booked: { value: { confirmation_code: 'QVH2B1', provider_reference: 'eJzTd9f3NjIJdzUBAAtXAmA1' } },
      'not booked': { value: { failed: true } },
    },
  })
  @ApiOkResponse({ type: BookingResponse, description: 'The booking, `confirmed` or `failed`' })
  @ApiProblems({
    400: '`validation_failed` (also: neither or both of a confirmation and `failed`)',
    404: '`not_found`: unknown booking',
    409: '`booking_not_resolvable`: the booking is not `action_required`',
    503: '`wallet_busy` (see `Retry-After`)',
  })
  async resolve(
    @UuidParam('id') id: string,
    @Body() body: ResolveBookingRequest,
    @IdempotentRequestOf(BookingResponse.of) idempotent: IdempotentRequest<Booking> | undefined,
  ): Promise<BookingResponse> {
    const confirmation = body.confirmation_code !== undefined || body.provider_reference !== undefined;
    if (body.failed === true ? confirmation : !(body.confirmation_code && body.provider_reference)) {
      throw new ValidationFailedError([
        {
          field: 'body',
          message: 'give either confirmation_code and provider_reference, or failed: true',
        },
      ]);
    }
    return BookingResponse.of(
      await this.admin.resolve(
        id,
        body.failed
          ? { failed: true }
          : {
              confirmationCode: body.confirmation_code as string,
              providerReference: body.provider_reference as string,
            },
        idempotent,
      ),
    );
  }
}
