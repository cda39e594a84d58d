export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Waits before each retry (API.md): after the first attempt 5 s, then 5 min, … ; the eighth failure is final. */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  10 * 3600_000,
];

/** Attempts a delivery gets on its schedule: the first and one per retry delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** An endpoint whose deliveries have all failed for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 86400_000;

/** How long an attempt may stay in flight before another worker may take the delivery again. */
export const ATTEMPT_LEASE_MS = 60_000;

/** One event to one endpoint, with the outcome of its latest attempt. */
export interface Delivery {
  id: string;
  endpointId: string;
  eventId: string;
  /** Attempts made so far. */
  attempt: number;
  status: DeliveryStatus;
  responseStatus: number | null;
  durationMs: number | null;
  error: string | null;
  /** When the next attempt is due (while one is in flight: when it is given up on); null once settled. */
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  /** Reopened by hand: one attempt, outside the schedule. */
  manual: boolean;
  createdAt: Date;
}

export interface AttemptOutcome {
  ok: boolean;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
}

/**
 * What a delivery becomes after its `attempt`-th attempt (counting from 1) ended with `outcome`:
 * delivered; pending again after the schedule's next wait; or failed for good.
 */
export function afterAttempt(
  delivery: Pick<Delivery, 'manual'>,
  attempt: number,
  outcome: AttemptOutcome,
  now: number,
): Pick<Delivery, 'status' | 'nextAttemptAt' | 'deliveredAt'> {
  if (outcome.ok) return { status: 'delivered', nextAttemptAt: null, deliveredAt: new Date(now) };
  const wait = delivery.manual ? undefined : retryDelay(attempt);
  if (wait === undefined) return { status: 'failed', nextAttemptAt: null, deliveredAt: null };
  return { status: 'pending', nextAttemptAt: new Date(now + wait), deliveredAt: null };
}

/** The wait after the `attempt`-th failed attempt, or undefined when it was the last. */
export function retryDelay(attempt: number): number | undefined {
  return attempt >= 1 ? RETRY_DELAYS_MS[attempt - 1] : undefined;
}

/** Whether an endpoint failing since `failingSince` (every delivery since then failed) is to be disabled. */
export function failedTooLong(failingSince: Date | null, now: number): boolean {
  return failingSince !== null && now - failingSince.getTime() >= DISABLE_AFTER_MS;
}
