import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import type { BookingJobs } from '../application/booking-jobs';
import { BOOKING_QUEUE } from '../booking.tokens';

export interface BookingJob {
  bookingId: string;
}

/** Enqueues the provider call of a booking; the job id is the booking id, so duplicates collapse. */
@Injectable()
export class BookingQueue implements BookingJobs {
  constructor(
    @InjectQueue(BOOKING_QUEUE) private readonly queue: Queue<BookingJob>,
    private readonly config: AppConfig,
  ) {}

  async ensureQueued(bookingId: string): Promise<void> {
    const job = await this.queue.getJob(bookingId);
    if (!job) return this.enqueue(bookingId);
    if (await job.isFailed()) await job.retry();
  }

  async enqueue(bookingId: string): Promise<void> {
    await this.queue.add(
      { bookingId },
      {
        jobId: bookingId,
        attempts: this.config.BOOKING_JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.BOOKING_JOB_BACKOFF_MS },
      },
    );
  }
}
