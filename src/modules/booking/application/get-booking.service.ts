import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import { BOOKING_REPOSITORY } from '../booking.tokens';
import type { Booking } from '../domain/booking';
import type { BookingRepository } from '../domain/booking.repository';

@Injectable()
export class GetBookingService {
  constructor(@Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository) {}

  /** The owner or the admin; anyone else gets NotFoundError, as for an unknown id. */
  async execute(id: string, caller: Caller): Promise<Booking> {
    const booking = await this.bookings.findById(id);
    if (!booking || (!isAdmin(caller) && booking.accountId !== caller.accountId)) {
      throw new NotFoundError('Booking', id);
    }
    return booking;
  }
}
