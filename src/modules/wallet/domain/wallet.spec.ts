import { credit, debit, isSameMovement, MAX_BALANCE, type WalletTransaction } from './wallet';
import { BalanceLimitExceededError, InsufficientFundsError, InvalidAmountError } from './wallet.errors';

describe('wallet debit', () => {
  it('takes the amount and reports the balance before and after', () => {
    expect(debit({ balance: 10000n, held: 0n }, 300n)).toEqual({
      type: 'debit',
      amount: 300n,
      balanceBefore: 10000n,
      balanceAfter: 9700n,
    });
  });

  it('may empty the wallet but never take it below zero', () => {
    expect(debit({ balance: 300n, held: 0n }, 300n).balanceAfter).toBe(0n);
    expect(() => debit({ balance: 299n, held: 0n }, 300n)).toThrow(InsufficientFundsError);
    expect(() => debit({ balance: 0n, held: 0n }, 1n)).toThrow('Balance 0 is below 1');
  });

  it('refuses a zero, negative or oversized amount', () => {
    expect(() => debit({ balance: 100n, held: 0n }, 0n)).toThrow(InvalidAmountError);
    expect(() => debit({ balance: 100n, held: 0n }, -5n)).toThrow(InvalidAmountError);
    expect(() => debit({ balance: MAX_BALANCE, held: 0n }, MAX_BALANCE + 1n)).toThrow(InvalidAmountError);
  });
});

describe('wallet credit', () => {
  it('adds the amount', () => {
    expect(credit({ balance: 100n, held: 0n }, 50n)).toMatchObject({
      balanceBefore: 100n,
      balanceAfter: 150n,
    });
  });

  it('refuses a balance past the largest safe integer', () => {
    expect(credit({ balance: MAX_BALANCE - 1n, held: 0n }, 1n).balanceAfter).toBe(MAX_BALANCE);
    expect(() => credit({ balance: MAX_BALANCE, held: 0n }, 1n)).toThrow(BalanceLimitExceededError);
    expect(() => credit({ balance: 0n, held: 0n }, 0n)).toThrow(InvalidAmountError);
  });
});

describe('isSameMovement', () => {
  const existing: WalletTransaction = {
    id: 't1',
    walletId: 'w1',
    type: 'debit',
    amount: 300n,
    balanceBefore: 1000n,
    balanceAfter: 700n,
    description: null,
    reference: { type: 'order', id: 'o1' },
    idempotencyKey: { scope: 'service', key: 'k' },
    createdAt: new Date('2026-01-01T00:00:00Z'),
  };

  it('matches the same type, amount and reference', () => {
    expect(isSameMovement(existing, 'debit', 300n, { type: 'order', id: 'o1' })).toBe(true);
  });

  it('does not match anything else', () => {
    expect(isSameMovement(existing, 'credit', 300n, { type: 'order', id: 'o1' })).toBe(false);
    expect(isSameMovement(existing, 'debit', 301n, { type: 'order', id: 'o1' })).toBe(false);
    expect(isSameMovement(existing, 'debit', 300n, { type: 'order', id: 'o2' })).toBe(false);
    expect(isSameMovement(existing, 'debit', 300n, null)).toBe(false);
  });
});
