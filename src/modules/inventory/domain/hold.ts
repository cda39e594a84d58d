import { HoldExpiredError, HoldNotActiveError } from './inventory.errors';

export const HOLD_STATUSES = ['active', 'released', 'expired', 'consumed'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];
export const MIN_HOLD_QUANTITY = 1;
export const MAX_HOLD_QUANTITY = 1000;

export interface Hold {
  id: string;
  productId: string;
  accountId: string;
  quantity: number;
  status: HoldStatus;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export function isOverdue(hold: Hold, now: Date): boolean {
  return hold.status === 'active' && hold.expiresAt.getTime() <= now.getTime();
}

/**
 * The status a client sees: an active hold past its deadline is expired even before the sweeper
 * has returned its units (which it does within a second or so).
 */
export function observedStatus(hold: Hold, now: Date): HoldStatus {
  return isOverdue(hold, now) ? 'expired' : hold.status;
}

/**
 * What releasing a hold does. Every transition that frees units starts from `active`, so that under
 * the row lock units come back exactly once whichever of release, expiry and order creation wins.
 */
export type ReleaseOutcome = { kind: 'release' } | { kind: 'expire' } | { kind: 'unchanged' };

export function planRelease(hold: Hold, now: Date): ReleaseOutcome {
  switch (hold.status) {
    case 'active':
      return isOverdue(hold, now) ? { kind: 'expire' } : { kind: 'release' };
    case 'released':
    case 'expired':
      return { kind: 'unchanged' };
    case 'consumed':
      throw new HoldNotActiveError(hold.id, hold.status);
  }
}

/** Whether an order may be made from the hold now; the deadline counts whether or not it was swept. */
export function assertConsumable(hold: Hold, now: Date): void {
  if (hold.status === 'expired' || isOverdue(hold, now)) throw new HoldExpiredError(hold.id);
  if (hold.status !== 'active') throw new HoldNotActiveError(hold.id, hold.status);
}
