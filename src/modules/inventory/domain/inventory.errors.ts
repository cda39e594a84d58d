import { DomainError } from '../../../shared/domain/domain-error';

export class InsufficientStockError extends DomainError {
  readonly code = 'insufficient_stock';
  readonly title = 'Insufficient stock';

  constructor(requested: number, available: number) {
    super(`${requested} units requested, ${available} available`);
  }
}

export class LimitExceededError extends DomainError {
  readonly code = 'limit_exceeded';
  readonly title = 'Limit exceeded';

  constructor(requested: number, held: number, limit: number) {
    super(
      `${requested} more units would give the account ${held + requested} of this product; the limit is ${limit}`,
    );
  }
}

export class HoldNotActiveError extends DomainError {
  readonly code = 'hold_not_active';
  readonly title = 'Hold not active';

  constructor(holdId: string, status: string) {
    super(`Hold ${holdId} is ${status}`);
  }
}

export class HoldExpiredError extends DomainError {
  readonly code = 'hold_expired';
  readonly title = 'Hold expired';

  constructor(holdId: string) {
    super(`Hold ${holdId} has expired`);
  }
}
