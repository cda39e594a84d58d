import type { Booking } from './booking';

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
}
