import type { Cursor } from '../../../shared/domain/cursor';
import type { Booking, BookingStatus } from './booking';

/** Storage of bookings; `Tx` is the caller's transaction handle. */
export interface BookingRepository<Tx = unknown> {
  insert(tx: Tx, booking: Booking): Promise<void>;
  findById(id: string): Promise<Booking | null>;
  /** Locks the row until the transaction ends. */
  lockById(tx: Tx, id: string): Promise<Booking | null>;
  save(tx: Tx, booking: Booking): Promise<void>;
  markOutcomeUnknown(id: string): Promise<void>;
  /** Pending bookings created before `olderThan`, oldest first. */
  findPending(olderThan: Date, limit: number): Promise<string[]>;
  /** Newest first, `limit + 1` rows so that the caller can build the page. */
  listPage(limit: number, status?: BookingStatus, after?: Cursor): Promise<Booking[]>;
  /**
   * Claims a confirmed booking for a cancel at the provider: true for exactly one caller until it
   * is released, so that two cancels never both reach the provider.
   */
  claimCancel(id: string, now: Date): Promise<boolean>;
  releaseCancel(id: string): Promise<void>;
  /** Confirmed bookings claimed for a cancel before `olderThan` (a cancel that never finished). */
  findStaleCancels(olderThan: Date, limit: number): Promise<string[]>;
  /**
   * A confirmed booking whose cancel left it unsettled becomes action_required (see parkBooking), its
   * cancel claim released, in `tx` (never a request's transaction: those are its answer). Returns
   * the parked booking, or null when it was not confirmed.
   */
  parkConfirmed(tx: Tx, id: string, reason: string, now: Date): Promise<Booking | null>;
}
