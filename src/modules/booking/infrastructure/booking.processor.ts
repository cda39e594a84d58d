import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { processJobs, UNNAMED_JOB } from '../../../shared/queue/process-jobs';
import { ProcessBookingService } from '../application/process-booking.service';
import { BOOKING_QUEUE } from '../booking.tokens';
import type { BookingJob } from './booking-queue';

@Injectable()
export class BookingProcessor implements OnModuleInit {
  private readonly logger = new Logger(BookingProcessor.name);

  constructor(
    @InjectQueue(BOOKING_QUEUE) private readonly queue: Queue<BookingJob>,
    private readonly bookings: ProcessBookingService,
  ) {}

  onModuleInit(): void {
    processJobs(this.queue, UNNAMED_JOB, (job) => this.handle(job), this.logger);
  }

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
