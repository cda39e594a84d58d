import {
  type Authorization,
  type AuthorizationStatus,
  hold,
  isOverdue,
  released,
  settle,
} from './authorization';
import {
  AmountExceedsAuthorizationError,
  AuthorizationNotPendingError,
  InsufficientFundsError,
  InvalidAmountError,
} from './wallet.errors';

const CREATED = new Date('2030-01-01T00:00:00Z');
const EXPIRES = new Date('2030-01-01T01:00:00Z');
const before = new Date(EXPIRES.getTime() - 1);

const authorization = (status: AuthorizationStatus = 'pending', capturedAmount = 0n): Authorization => ({
  id: 'a1',
  walletId: 'w1',
  accountId: 'acc1',
  amount: 5000n,
  capturedAmount,
  currency: 'USD',
  status,
  expiresAt: EXPIRES,
  description: null,
  idempotencyKey: null,
  createdAt: CREATED,
  updatedAt: CREATED,
});

describe('authorization rules', () => {
  it('a new authorization holds money only from what is available (balance - held)', () => {
    expect(hold({ balance: 10_000n, held: 0n }, 10_000n)).toBe(10_000n);
    expect(hold({ balance: 10_000n, held: 4000n }, 6000n)).toBe(10_000n);
    expect(() => hold({ balance: 10_000n, held: 4000n }, 6001n)).toThrow(InsufficientFundsError);
    expect(() => hold({ balance: 10_000n, held: 4000n }, 6001n)).toThrow(
      'Available balance 6000 (balance 10000, held 4000) is below 6001',
    );
    expect(() => hold({ balance: 10_000n, held: 0n }, 0n)).toThrow(InvalidAmountError);
  });

  it('is overdue from expires_at on, and only while pending', () => {
    expect(isOverdue(authorization(), before)).toBe(false);
    expect(isOverdue(authorization(), EXPIRES)).toBe(true);
    expect(isOverdue(authorization('voided'), EXPIRES)).toBe(false);
  });

  it('capture: pending -> captured with the amount taken (default all), the rest released', () => {
    const part = settle(authorization(), { kind: 'capture', amount: 3000n }, before);
    expect(part).toEqual({
      authorization: { ...authorization(), status: 'captured', capturedAmount: 3000n, updatedAt: before },
      changed: true,
      refusal: undefined,
    });
    expect(released(authorization(), part.authorization)).toEqual({ held: 5000n, taken: 3000n });
    const all = settle(authorization(), { kind: 'capture' }, before);
    expect(all.authorization).toMatchObject({ status: 'captured', capturedAmount: 5000n });
    expect(released(authorization(), all.authorization)).toEqual({ held: 5000n, taken: 5000n });
  });

  it('capture of more than authorized is refused and changes nothing', () => {
    const pending = authorization();
    const over = settle(pending, { kind: 'capture', amount: 5001n }, before);
    expect(over.authorization).toBe(pending);
    expect(over.changed).toBe(false);
    expect(over.refusal).toBeInstanceOf(AmountExceedsAuthorizationError);
    expect(over.refusal?.message).toBe('A capture of 5001 is more than the 5000 authorized');
    expect(settle(authorization(), { kind: 'capture', amount: 0n }, before).refusal).toBeInstanceOf(
      InvalidAmountError,
    );
  });

  it('void: pending -> voided, all of it released, nothing taken', () => {
    const voided = settle(authorization(), { kind: 'void' }, before);
    expect(voided.authorization).toMatchObject({ status: 'voided', capturedAmount: 0n });
    expect(released(authorization(), voided.authorization)).toEqual({ held: 5000n, taken: 0n });
  });

  it('expire: nothing before expires_at; pending -> expired from it on', () => {
    expect(settle(authorization(), { kind: 'expire' }, before)).toEqual({
      authorization: authorization(),
      changed: false,
      refusal: undefined,
    });
    const expired = settle(authorization(), { kind: 'expire' }, EXPIRES);
    expect(expired).toMatchObject({ changed: true, refusal: undefined });
    expect(expired.authorization).toMatchObject({ status: 'expired', capturedAmount: 0n });
    expect(released(authorization(), expired.authorization)).toEqual({ held: 5000n, taken: 0n });
  });

  it('a capture or void of an overdue authorization expires it and is refused: one outcome', () => {
    for (const action of [{ kind: 'capture' } as const, { kind: 'void' } as const]) {
      const late = settle(authorization(), action, EXPIRES);
      expect(late.changed).toBe(true);
      expect(late.authorization).toMatchObject({ status: 'expired', capturedAmount: 0n });
      expect(late.refusal).toBeInstanceOf(AuthorizationNotPendingError);
      expect(late.refusal?.message).toBe('Authorization a1 is expired, not pending');
    }
  });

  it('only a pending authorization changes, once: capture or void of any other is authorization_not_pending, expiry a no-op', () => {
    for (const [status, captured] of [
      ['captured', 3000n],
      ['voided', 0n],
      ['expired', 0n],
    ] as const) {
      const done = authorization(status, captured);
      for (const action of [{ kind: 'capture' } as const, { kind: 'void' } as const]) {
        const again = settle(done, action, before);
        expect(again).toMatchObject({ changed: false, authorization: done });
        expect(again.refusal).toBeInstanceOf(AuthorizationNotPendingError);
        expect(again.refusal?.message).toBe(`Authorization a1 is ${status}, not pending`);
      }
      expect(settle(done, { kind: 'expire' }, EXPIRES)).toEqual({
        authorization: done,
        changed: false,
        refusal: undefined,
      });
      expect(released(done, done)).toEqual({ held: 0n, taken: 0n });
    }
  });
});
