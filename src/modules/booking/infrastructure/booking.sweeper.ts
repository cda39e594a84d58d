import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BOOKING_REPOSITORY } from '../booking.tokens';
import type { BookingRepository } from '../domain/booking.repository';
import { BookingQueue } from './booking-queue';

const INTERVAL_MS = 30_000;
/** A booking still pending this long after creation has a lost or stuck job, or a long retry. */
const GRACE_MS = 60_000;
const BATCH = 100;

/**
 * Backs up the after-commit enqueue: a booking committed while Redis was down, or whose job was
 * lost, is queued again. Job ids are booking ids, so a booking whose job is alive is left alone.
 */
@Injectable()
export class BookingSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BookingSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository,
    private readonly queue: BookingQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: Error) => this.logger.warn(`booking sweep failed: ${error.message}`));
    }, INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(now = new Date()): Promise<void> {
    const ids = await this.bookings.findPending(new Date(now.getTime() - GRACE_MS), BATCH);
    for (const id of ids) await this.queue.ensureQueued(id);
  }
}
