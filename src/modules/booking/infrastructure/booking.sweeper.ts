import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { PeriodicSweeper } from '../../../shared/queue/periodic-sweeper';
import type { BookingJobs } from '../application/booking-jobs';
import { ParkBookingService } from '../application/park-booking.service';
import { BOOKING_JOBS, BOOKING_REPOSITORY, BOOKING_SWEEP } from '../booking.tokens';
import type { BookingRepository } from '../domain/booking.repository';

export interface BookingSweepSettings {
  intervalMs: number;
  /** A booking still pending this long after creation has a lost or stuck job, or a long retry. */
  graceMs: number;
  /** Bookings looked at per sweep. */
  limit: number;
  /** A cancel still unfinished this long after it began died with its process (the provider call is long over). */
  cancelGraceMs: number;
}

export const BOOKING_SWEEP_DEFAULTS: BookingSweepSettings = {
  intervalMs: 30_000,
  graceMs: 60_000,
  limit: 100,
  cancelGraceMs: 5 * 60_000,
};

/**
 * Backs up the after-commit enqueue: a booking committed while Redis was down, or whose job was
 * lost, is queued again. Job ids are booking ids, so a booking whose job is alive is left alone.
 * One sweep per tick: a sweep leaves its bookings pending, so another at once would read them again.
 */
@Injectable()
export class BookingSweeper extends PeriodicSweeper {
  constructor(
    @Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository<unknown>,
    @Inject(BOOKING_JOBS) private readonly jobs: BookingJobs,
    @Inject(BOOKING_SWEEP) private readonly settings: BookingSweepSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly parker: ParkBookingService,
  ) {
    super({ intervalMs: settings.intervalMs });
  }

  protected async sweep(): Promise<number> {
    const now = new Date(this.clock.now());
    const ids = await this.bookings.findPending(
      new Date(now.getTime() - this.settings.graceMs),
      this.settings.limit,
    );
    for (const id of ids) await this.jobs.ensureQueued(id);
    return ids.length + (await this.parkStaleCancels(now));
  }

  /**
   * Confirmed bookings whose cancel began long ago and never finished (its process died between the
   * provider's cancel and the refund): whether the provider cancelled is unknown, so a person settles
   * them (action_required), rather than leaving them claimed where no cancel can reach them again.
   */
  async parkStaleCancels(now: Date): Promise<number> {
    const olderThan = new Date(now.getTime() - this.settings.cancelGraceMs);
    const ids = await this.bookings.findStaleCancels(olderThan, this.settings.limit);
    for (const id of ids) {
      await this.parker.parkConfirmed(
        id,
        'A cancel began and never finished: whether the provider cancelled is unknown',
        now,
      );
    }
    return ids.length;
  }
}
