import { ResourceBusyError, domainError } from '../../../shared/domain/domain-error';

export class InsufficientFundsError extends domainError('insufficient_funds', 'Insufficient funds') {
  /** `held`: what pending authorizations hold of the balance; the rest is available. */
  constructor(balance: bigint, amount: bigint, held = 0n) {
    super(
      held === 0n
        ? `Balance ${balance} is below ${amount}`
        : `Available balance ${balance - held} (balance ${balance}, held ${held}) is below ${amount}`,
    );
  }
}

export class InvalidAmountError extends domainError('validation_failed', 'Validation failed') {
  constructor(amount: bigint) {
    super(`Amount ${amount} is not a positive safe integer`);
  }
}

export class BalanceLimitExceededError extends domainError(
  'balance_limit_exceeded',
  'Balance limit exceeded',
) {
  constructor(balance: bigint, amount: bigint) {
    super(`Crediting ${amount} to a balance of ${balance} would exceed 9007199254740991`);
  }
}

export class WalletExistsError extends domainError('wallet_exists', 'Wallet exists') {
  constructor(accountId: string, currency: string) {
    super(`Account ${accountId} already has a ${currency} wallet`);
  }
}

export class CurrencyMismatchError extends domainError('currency_mismatch', 'Currency mismatch') {
  constructor(walletCurrency: string, expected: string) {
    super(`The wallet holds ${walletCurrency}, not ${expected}`);
  }
}

/** Money owed to one account may be settled only to a wallet of that account. */
export class WalletNotEligibleError extends domainError('wallet_not_eligible', 'Wallet not eligible') {
  constructor(walletId: string) {
    super(`Wallet ${walletId} is not a wallet of the account the money is owed to`);
  }
}

/** The wallet's row lock could not be had within LOCK_TIMEOUT_MS. */
export class WalletBusyError extends ResourceBusyError {
  override readonly code = 'wallet_busy';
  override readonly title = 'Wallet busy';

  constructor() {
    super('The wallet is busy with other payments; retry shortly');
  }
}

/** An idempotency key already recorded a different movement on this wallet. */
export class LedgerKeyReusedError extends domainError('idempotency_key_reused', 'Idempotency key reused') {
  constructor(key: string) {
    super(`Idempotency key "${key}" already recorded a different movement on this wallet`);
  }
}

/**
 * An entry's (wallet, key) was already in the ledger when it was written: the last line of defence
 * against a second effect answered. Not a client's error: the batch is decided again, one by one.
 */
export class LedgerConflictError extends Error {
  constructor(walletId: string) {
    super(`a ledger entry of wallet ${walletId} was recorded under the same key meanwhile`);
  }
}

/** Capturing or voiding an authorization that is no longer pending. */
export class AuthorizationNotPendingError extends domainError(
  'authorization_not_pending',
  'Authorization not pending',
) {
  constructor(id: string, status: string) {
    super(`Authorization ${id} is ${status}, not pending`);
  }
}

/** A capture larger than what its authorization holds. */
export class AmountExceedsAuthorizationError extends domainError(
  'amount_exceeds_authorization',
  'Amount exceeds authorization',
) {
  constructor(amount: bigint, authorized: bigint) {
    super(`A capture of ${amount} is more than the ${authorized} authorized`);
  }
}
