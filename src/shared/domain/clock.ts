/**
 * The time the service reads wherever what it does depends on it (a deadline, a TTL, a rate-limit
 * window), as a port, so that a test moves that time instead of waiting for it. Timestamps that only
 * record when a row changed (a wallet's `updated_at`, a webhook's `applied_at`) are the database's
 * own. Milliseconds since the epoch, as Date.now().
 */
export interface Clock {
  now(): number;
}

export const CLOCK = Symbol('CLOCK');

/** The process's own clock, which every process runs on; tests bind CLOCK to a clock they move. */
export const systemClock: Clock = { now: () => Date.now() };
