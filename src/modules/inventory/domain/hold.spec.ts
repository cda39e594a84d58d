import { assertConsumable, type Hold, type HoldStatus, isOverdue, observedStatus, planRelease } from './hold';
import { HoldExpiredError, HoldNotActiveError } from './inventory.errors';

const EXPIRES = new Date('2030-01-01T00:02:00Z');
const before = new Date(EXPIRES.getTime() - 1);
const after = new Date(EXPIRES.getTime() + 1);

const hold = (status: HoldStatus): Hold => ({
  id: 'h1',
  productId: 'p1',
  accountId: 'a1',
  quantity: 2,
  status,
  expiresAt: EXPIRES,
  createdAt: new Date('2030-01-01T00:00:00Z'),
  updatedAt: new Date('2030-01-01T00:00:00Z'),
});

describe('hold rules', () => {
  it('an active hold is overdue from expires_at on, and shown as expired then', () => {
    expect(isOverdue(hold('active'), before)).toBe(false);
    expect(isOverdue(hold('active'), EXPIRES)).toBe(true);
    expect(observedStatus(hold('active'), before)).toBe('active');
    expect(observedStatus(hold('active'), after)).toBe('expired');
    expect(isOverdue(hold('consumed'), after)).toBe(false);
    expect(observedStatus(hold('consumed'), after)).toBe('consumed');
  });

  it('release: active -> released, overdue -> expired, released/expired unchanged, consumed refused', () => {
    expect(planRelease(hold('active'), before)).toEqual({ kind: 'release' });
    expect(planRelease(hold('active'), after)).toEqual({ kind: 'expire' });
    expect(planRelease(hold('released'), before)).toEqual({ kind: 'unchanged' });
    expect(planRelease(hold('expired'), after)).toEqual({ kind: 'unchanged' });
    expect(() => planRelease(hold('consumed'), before)).toThrow(HoldNotActiveError);
  });

  it('an order needs an active hold before its deadline, swept or not', () => {
    expect(() => assertConsumable(hold('active'), before)).not.toThrow();
    expect(() => assertConsumable(hold('active'), after)).toThrow(HoldExpiredError);
    expect(() => assertConsumable(hold('expired'), before)).toThrow(HoldExpiredError);
    expect(() => assertConsumable(hold('released'), before)).toThrow(HoldNotActiveError);
    expect(() => assertConsumable(hold('consumed'), before)).toThrow(HoldNotActiveError);
  });
});
