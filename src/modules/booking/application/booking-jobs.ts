/** The queued provider call of each booking; one job per booking, so duplicates collapse. */
export interface BookingJobs {
  enqueue(bookingId: string): Promise<void>;
  /** Queues a booking whose job was lost, and revives one whose job gave up. */
  ensureQueued(bookingId: string): Promise<void>;
}
