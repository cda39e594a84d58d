import type { Cursor } from '../../../shared/domain/cursor';
import type { Delivery, DeliveryStatus } from './delivery';
import type { EventType } from './event';

/** What one attempt needs, read as the attempt is claimed. */
export interface ClaimedDelivery {
  delivery: Delivery;
  endpoint: { id: string; url: string; accountId: string; failingSince: Date | null };
  event: { id: string; type: EventType; accountId: string; createdAt: Date; object: unknown };
}

export interface NewDelivery {
  id: string;
  endpointId: string;
  eventId: string;
}

/** What an attempt's outcome writes of its delivery. */
export type AttemptRecord = Pick<
  Delivery,
  'id' | 'attempt' | 'status' | 'responseStatus' | 'durationMs' | 'error' | 'nextAttemptAt' | 'deliveredAt'
>;

export interface DeliveryRepository<Tx = unknown> {
  /** Pending deliveries, due at once; one per (endpoint, event) however often it is asked. */
  insertPending(tx: Tx, deliveries: NewDelivery[], now: Date): Promise<void>;
  findById(id: string): Promise<Delivery | null>;
  /** An endpoint's deliveries, newest first, `limit + 1` rows. */
  listPage(
    endpointId: string,
    status: DeliveryStatus | undefined,
    limit: number,
    after?: Cursor,
  ): Promise<Delivery[]>;
  /**
   * Claims due pending deliveries (all of them, or those of `ids`) for an attempt: each is leased
   * until `leaseUntil` (its `next_attempt_at`), so that no other worker attempts it meanwhile. A
   * delivery is due when its time has come, its endpoint is enabled, and no earlier event of the same
   * resource is still pending to that endpoint or waiting to be fanned out (order per resource).
   */
  claimDue(now: Date, leaseUntil: Date, limit: number, ids?: string[]): Promise<ClaimedDelivery[]>;
  /** Records an attempt's outcome, unless the lease was lost to another worker meanwhile. */
  settle(delivery: AttemptRecord, lease: Date, previousAttempt: number): Promise<boolean>;
  /**
   * Sends a delivery again at `now`: a pending one keeps its schedule; a settled one becomes pending
   * for one more attempt (`manual`). Returns the delivery, or null when the endpoint has no such delivery.
   */
  reopen(tx: Tx, endpointId: string, id: string, now: Date): Promise<Delivery | null>;
}
