import { MAX_AMOUNT } from '../../../shared/domain/money';
import { BalanceLimitExceededError, InsufficientFundsError, InvalidAmountError } from './wallet.errors';

export type TransactionType = 'credit' | 'debit';

export interface Wallet {
  id: string;
  accountId: string;
  currency: string;
  /** Minor units, never negative. */
  balance: bigint;
  /** What pending authorizations hold of the balance (0 .. balance); `balance - held` is available. */
  held: bigint;
  createdAt: Date;
  updatedAt: Date;
}

/** Why money moved, in the words of the module that moved it ('order', 'refund', 'booking', …). */
export interface TransactionReference {
  type: string;
  id: string;
}

/**
 * An idempotency key in the ledger. A client's key lives in the scope of the account that sent it,
 * the keys the service derives for its own references in SERVICE_KEY_SCOPE, which no account id
 * can equal: the admin and the owner using one key string, or a client key shaped like an internal
 * one, are different keys.
 */
export interface LedgerKey {
  scope: string;
  key: string;
}

export const SERVICE_KEY_SCOPE = 'service';

export const serviceKey = (key: string): LedgerKey => ({ scope: SERVICE_KEY_SCOPE, key });

export const sameLedgerKey = (a: LedgerKey | null, b: LedgerKey | null): boolean =>
  a !== null && b !== null && a.scope === b.scope && a.key === b.key;

export interface WalletTransaction {
  id: string;
  walletId: string;
  type: TransactionType;
  amount: bigint;
  balanceBefore: bigint;
  balanceAfter: bigint;
  description: string | null;
  reference: TransactionReference | null;
  idempotencyKey: LedgerKey | null;
  createdAt: Date;
}

/** The most a balance may hold: what the API can show as a JSON number. */
export const MAX_BALANCE = BigInt(MAX_AMOUNT);

export interface Movement {
  type: TransactionType;
  amount: bigint;
  balanceBefore: bigint;
  balanceAfter: bigint;
}

function assertPositive(amount: bigint): void {
  if (amount <= 0n || amount > MAX_BALANCE) throw new InvalidAmountError(amount);
}

/** What may be debited or authorized: the balance less what pending authorizations hold. */
export const available = (wallet: Pick<Wallet, 'balance' | 'held'>): bigint => wallet.balance - wallet.held;

/** The balance after taking `amount`; refuses to take more than is available. */
export function debit(wallet: Pick<Wallet, 'balance' | 'held'>, amount: bigint): Movement {
  assertPositive(amount);
  if (amount > available(wallet)) throw new InsufficientFundsError(wallet.balance, amount, wallet.held);
  return { type: 'debit', amount, balanceBefore: wallet.balance, balanceAfter: wallet.balance - amount };
}

/** The balance after adding `amount`; refuses to exceed MAX_BALANCE. */
export function credit(wallet: Pick<Wallet, 'balance' | 'held'>, amount: bigint): Movement {
  assertPositive(amount);
  const after = wallet.balance + amount;
  if (after > MAX_BALANCE) throw new BalanceLimitExceededError(wallet.balance, amount);
  return { type: 'credit', amount, balanceBefore: wallet.balance, balanceAfter: after };
}

export function move(
  wallet: Pick<Wallet, 'balance' | 'held'>,
  type: TransactionType,
  amount: bigint,
): Movement {
  return type === 'debit' ? debit(wallet, amount) : credit(wallet, amount);
}

/**
 * A transaction recorded earlier under the same idempotency key stands for this request only if it
 * did the same thing; otherwise the key was reused for something else.
 */
export function isSameMovement(
  existing: WalletTransaction,
  type: TransactionType,
  amount: bigint,
  reference: TransactionReference | null,
): boolean {
  return (
    existing.type === type &&
    existing.amount === amount &&
    (existing.reference?.type ?? null) === (reference?.type ?? null) &&
    (existing.reference?.id ?? null) === (reference?.id ?? null)
  );
}
