import type { Hold, HoldStatus } from './hold';

/** Storage of holds; methods that take `tx` run inside the caller's transaction. */
export interface HoldRepository<Tx> {
  findById(id: string): Promise<Hold | null>;
  /** Locks the row until the transaction ends. */
  lockById(tx: Tx, id: string): Promise<Hold | null>;
  /**
   * Active holds past their deadline, locked; rows another transaction holds (a release, an order
   * being made, another sweeper) are skipped rather than waited for.
   */
  lockOverdue(tx: Tx, now: Date, limit: number): Promise<Hold[]>;
  setStatus(tx: Tx, ids: string[], status: HoldStatus, at: Date): Promise<void>;
}
