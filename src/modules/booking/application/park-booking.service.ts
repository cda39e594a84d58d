import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { EventRecorder } from '../../event/application/event-recorder';
import { BOOKING_REPOSITORY } from '../booking.tokens';
import type { BookingRepository } from '../domain/booking.repository';
import { recordBookingChange } from './booking-events';

/**
 * Parks a confirmed booking whose cancel left it unsettled (`action_required`, for a person), with
 * its `booking.action_required` event, in a transaction of its own: never the request's, whose
 * transactions are its answer.
 */
@Injectable()
export class ParkBookingService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository<EntityManager>,
    private readonly events: EventRecorder,
  ) {}

  /** Whether it was parked (false: it was no longer confirmed). */
  parkConfirmed(id: string, reason: string, now: Date): Promise<boolean> {
    return this.uow.run(async (em) => {
      const parked = await this.bookings.parkConfirmed(em, id, reason, now);
      if (parked) recordBookingChange(this.events, em, parked);
      return parked !== null;
    });
  }
}
