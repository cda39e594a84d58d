import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { ProcessBookingService } from '../application/process-booking.service';
import { BOOKING_QUEUE } from '../booking.tokens';
import type { BookingJob } from './booking-queue';

@Processor(BOOKING_QUEUE)
export class BookingProcessor {
  constructor(private readonly bookings: ProcessBookingService) {}

  @Process()
  async handle(job: Job<BookingJob>): Promise<void> {
    // attemptsMade counts the attempts that already failed.
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await this.bookings.attempt(job.data.bookingId, lastAttempt);
    if (result.outcome === 'failed') {
      // Settled and refunded: operators see it as a failed job in the dashboard, never retried.
      await job.discard();
      throw new Error(`booking failed and was refunded: ${result.reason}`);
    }
  }
}
