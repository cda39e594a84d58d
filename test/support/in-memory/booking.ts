import type { EntityManager } from 'typeorm';
import type { BookingJobs } from '../../../src/modules/booking/application/booking-jobs';
import type { ProcessBookingService } from '../../../src/modules/booking/application/process-booking.service';
import { type Booking, type BookingStatus, parkBooking } from '../../../src/modules/booking/domain/booking';
import type { BookingRepository } from '../../../src/modules/booking/domain/booking.repository';
import { type InMemoryDatabase, uniqueViolation } from './database';

export const BOOKINGS = 'bookings';

/**
 * BookingRepository over the in-memory database. As the TypeORM one: one booking per account and
 * Idempotency-Key (UNIQUE account_id, idempotency_key) and per debit; `findById` reads the committed
 * row; `lockById` of an unknown id is null; `markOutcomeUnknown` is a statement of its own outside
 * any transaction that touches only a booking still pending; `findPending` gives the ids of pending
 * bookings created before `olderThan`, oldest first.
 */
export class InMemoryBookingRepository implements BookingRepository<EntityManager> {
  private readonly cancelClaims = new Map<string, Date>();

  constructor(private readonly db: InMemoryDatabase) {}

  async insert(tx: EntityManager, booking: Booking): Promise<void> {
    const table = this.db.table<Booking>(BOOKINGS, tx);
    if (table.find((b) => b.accountId === booking.accountId && b.idempotencyKey === booking.idempotencyKey)) {
      throw uniqueViolation('bookings_account_key_key');
    }
    if (table.find((b) => b.walletTransactionId === booking.walletTransactionId)) {
      throw uniqueViolation('bookings_wallet_transaction_id_key');
    }
    table.insert(booking.id, booking);
  }

  async findById(id: string): Promise<Booking | null> {
    return this.db.table<Booking>(BOOKINGS).get(id);
  }

  async lockById(tx: EntityManager, id: string): Promise<Booking | null> {
    this.db.lock(BOOKINGS, id, tx);
    return this.db.table<Booking>(BOOKINGS, tx).get(id);
  }

  async save(tx: EntityManager, booking: Booking): Promise<void> {
    const table = this.db.table<Booking>(BOOKINGS, tx);
    if (
      booking.refundTransactionId !== null &&
      table.find((b) => b.id !== booking.id && b.refundTransactionId === booking.refundTransactionId)
    ) {
      throw uniqueViolation('bookings_refund_transaction_id_key');
    }
    table.update(booking.id, () => booking);
  }

  async markOutcomeUnknown(id: string): Promise<void> {
    await this.db.autocommit((tx) =>
      this.db
        .table<Booking>(BOOKINGS, tx)
        .update(id, (b) => (b.status === 'pending' ? { ...b, outcomeUnknown: true } : b)),
    );
  }

  async findPending(olderThan: Date, limit: number): Promise<string[]> {
    return this.db
      .table<Booking>(BOOKINGS)
      .filter((b) => b.status === 'pending' && b.createdAt.getTime() < olderThan.getTime())
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map((b) => b.id);
  }

  async listPage(limit: number, status?: BookingStatus): Promise<Booking[]> {
    return this.db
      .table<Booking>(BOOKINGS)
      .filter((b) => !status || b.status === status)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit + 1);
  }

  async claimCancel(id: string, now: Date): Promise<boolean> {
    if (this.cancelClaims.has(id) || (await this.findById(id))?.status !== 'confirmed') return false;
    this.cancelClaims.set(id, now);
    return true;
  }

  async findStaleCancels(olderThan: Date, limit: number): Promise<string[]> {
    return [...this.cancelClaims]
      .filter(
        ([id, at]) => at < olderThan && this.db.table<Booking>(BOOKINGS).get(id)?.status === 'confirmed',
      )
      .sort(([, a], [, b]) => a.getTime() - b.getTime())
      .slice(0, limit)
      .map(([id]) => id);
  }

  async parkConfirmed(tx: EntityManager, id: string, reason: string, now: Date): Promise<Booking | null> {
    const booking = await this.lockById(tx, id);
    if (booking?.status !== 'confirmed') return null;
    this.cancelClaims.delete(id);
    const parked = parkBooking(booking, reason, now);
    this.db.table<Booking>(BOOKINGS, tx).update(id, () => parked);
    return parked;
  }

  async releaseCancel(id: string): Promise<void> {
    this.cancelClaims.delete(id);
  }

  all(): Booking[] {
    return this.db.table<Booking>(BOOKINGS).values();
  }

  committed(id: string): Booking | null {
    return this.db.table<Booking>(BOOKINGS).get(id);
  }
}

export type BookingJobState = 'waiting' | 'completed' | 'failed';

/**
 * BookingJobs as the Bull queue behaves: one job per booking (the job id is the booking id, so an
 * enqueue of a booking whose job exists changes nothing); `ensureQueued` adds a lost job and
 * retries a failed one. `run` plays the worker's part for one job: up to `attempts` calls of
 * ProcessBookingService.attempt, the last one told it is the last (as BookingProcessor works it out
 * from Bull's attemptsMade), a thrown error counted as a failed attempt to retry, a `failed` outcome
 * discarded (no retry). Backoff waits are not modelled.
 */
export class InMemoryBookingJobs implements BookingJobs {
  private readonly jobs = new Map<string, { state: BookingJobState; attemptsMade: number }>();

  async enqueue(bookingId: string): Promise<void> {
    if (!this.jobs.has(bookingId)) this.jobs.set(bookingId, { state: 'waiting', attemptsMade: 0 });
  }

  async ensureQueued(bookingId: string): Promise<void> {
    const job = this.jobs.get(bookingId);
    if (!job) return this.enqueue(bookingId);
    if (job.state === 'failed') this.jobs.set(bookingId, { state: 'waiting', attemptsMade: 0 });
  }

  /** The jobs by booking id and state. */
  states(): Map<string, BookingJobState> {
    return new Map([...this.jobs].map(([id, job]) => [id, job.state]));
  }

  async run(bookingId: string, service: ProcessBookingService, attempts: number): Promise<BookingJobState> {
    const job = this.jobs.get(bookingId);
    if (!job || job.state !== 'waiting') throw new Error(`no waiting job for booking ${bookingId}`);
    while (job.state === 'waiting') {
      const lastAttempt = job.attemptsMade + 1 >= attempts;
      try {
        const result = await service.attempt(bookingId, lastAttempt);
        job.state = result.outcome === 'failed' ? 'failed' : 'completed';
      } catch {
        job.attemptsMade++;
        if (job.attemptsMade >= attempts) job.state = 'failed';
      }
    }
    return job.state;
  }
}
