import type { DomainError } from '../../../shared/domain/domain-error';
import { type LedgerKey, MAX_BALANCE, type Wallet, available } from './wallet';
import {
  AmountExceedsAuthorizationError,
  AuthorizationNotPendingError,
  InsufficientFundsError,
  InvalidAmountError,
} from './wallet.errors';

/**
 * pending -> captured (money taken, at most the amount, the rest released) | voided (released) |
 * expired (released at `expires_at`). Only a pending authorization changes, and only once.
 */
export type AuthorizationStatus = 'pending' | 'captured' | 'voided' | 'expired';

/** Money of a wallet held for a later capture: counted in the wallet's `held` while pending. */
export interface Authorization {
  id: string;
  walletId: string;
  accountId: string;
  amount: bigint;
  /** What a capture took (0 unless captured). */
  capturedAmount: bigint;
  currency: string;
  status: AuthorizationStatus;
  expiresAt: Date;
  description: string | null;
  /** At most one authorization per (wallet, key): a repeat with the same amount is the first one. */
  idempotencyKey: LedgerKey | null;
  createdAt: Date;
  updatedAt: Date;
}

export const AUTHORIZATION_TTL_SECONDS = { min: 60, max: 604_800, default: 604_800 } as const;

/** The ledger key of an authorization's capture: one capture per authorization, ever. */
export const captureKey = (authorizationId: string) => `authorization-capture:${authorizationId}`;

/** From `expires_at` on, a pending authorization holds nothing: it is expired, not capturable. */
export const isOverdue = (a: Pick<Authorization, 'status' | 'expiresAt'>, now: Date): boolean =>
  a.status === 'pending' && a.expiresAt.getTime() <= now.getTime();

/** What `held` becomes when a new authorization of `amount` holds money of the wallet. */
export function hold(wallet: Pick<Wallet, 'balance' | 'held'>, amount: bigint): bigint {
  if (amount <= 0n || amount > MAX_BALANCE) throw new InvalidAmountError(amount);
  if (amount > available(wallet)) throw new InsufficientFundsError(wallet.balance, amount, wallet.held);
  return wallet.held + amount;
}

export type AuthorizationAction =
  { kind: 'capture'; amount?: bigint } | { kind: 'void' } | { kind: 'expire' };

/**
 * What an action does to an authorization at `now`: the authorization after it (the same object
 * when nothing changed) and, when the action is refused, why. A refused capture or void of an
 * overdue authorization still expires it: the refusal and the expiry are one outcome.
 */
export interface Settlement {
  authorization: Authorization;
  changed: boolean;
  refusal?: DomainError;
}

export function settle(a: Authorization, action: AuthorizationAction, now: Date): Settlement {
  const unchanged = (refusal?: DomainError): Settlement => ({ authorization: a, changed: false, refusal });
  const to = (status: AuthorizationStatus, capturedAmount = 0n, refusal?: DomainError): Settlement => ({
    authorization: { ...a, status, capturedAmount, updatedAt: now },
    changed: true,
    refusal,
  });

  if (a.status !== 'pending') {
    return unchanged(action.kind === 'expire' ? undefined : new AuthorizationNotPendingError(a.id, a.status));
  }
  if (isOverdue(a, now)) {
    return to(
      'expired',
      0n,
      action.kind === 'expire' ? undefined : new AuthorizationNotPendingError(a.id, 'expired'),
    );
  }
  switch (action.kind) {
    case 'expire':
      return unchanged();
    case 'void':
      return to('voided');
    case 'capture': {
      const amount = action.amount ?? a.amount;
      if (amount <= 0n || amount > MAX_BALANCE) return unchanged(new InvalidAmountError(amount));
      if (amount > a.amount) return unchanged(new AmountExceedsAuthorizationError(amount, a.amount));
      return to('captured', amount);
    }
  }
}

/** The money an authorization's change moves: what leaves `held`, and what is taken from the balance. */
export function released(before: Authorization, after: Authorization): { held: bigint; taken: bigint } {
  if (before.status !== 'pending' || after.status === 'pending') return { held: 0n, taken: 0n };
  return { held: before.amount, taken: after.capturedAmount };
}
