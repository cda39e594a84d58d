import { domainError } from '../../../shared/domain/domain-error';

export class InsufficientStockError extends domainError('insufficient_stock', 'Insufficient stock') {
  constructor(requested: number, available: number) {
    super(`${requested} units requested, ${available} available`);
  }
}

export class LimitExceededError extends domainError('limit_exceeded', 'Limit exceeded') {
  constructor(requested: number, held: number, limit: number) {
    super(
      `${requested} more units would give the account ${held + requested} of this product; the limit is ${limit}`,
    );
  }
}

export class HoldNotActiveError extends domainError('hold_not_active', 'Hold not active') {
  constructor(holdId: string, status: string) {
    super(`Hold ${holdId} is ${status}`);
  }
}

export class HoldExpiredError extends domainError('hold_expired', 'Hold expired') {
  constructor(holdId: string) {
    super(`Hold ${holdId} has expired`);
  }
}
