import { PaymentTransitionRefusedError } from './payment.errors';
import { canMovePayment, movePayment, PAYMENT_STATUSES, type PaymentStatus } from './payment-status';

/** Every move a payment may make, in the order of PAYMENT_STATUSES; any pair not listed is refused. */
const ALLOWED: Array<[PaymentStatus, PaymentStatus]> = [
  ['succeeded', 'partially_refunded'],
  ['succeeded', 'refunded'],
  ['refund_required', 'refunded'],
  ['partially_refunded', 'partially_refunded'],
  ['partially_refunded', 'refunded'],
];

const EVERY_PAIR = PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.map((to) => [from, to] as const));
const allowed = (from: PaymentStatus, to: PaymentStatus) => ALLOWED.some(([f, t]) => f === from && t === to);

describe('the payment state machine', () => {
  it('has the four statuses of the contract', () => {
    expect([...PAYMENT_STATUSES].sort()).toEqual([
      'partially_refunded',
      'refund_required',
      'refunded',
      'succeeded',
    ]);
  });

  it.each(EVERY_PAIR.filter(([from, to]) => allowed(from, to)))('%s -> %s is allowed', (from, to) => {
    const at = new Date('2030-01-01T00:00:00Z');
    const payment = { id: 'p-1', status: from, updatedAt: new Date('2029-01-01T00:00:00Z'), amount: 5n };

    expect(canMovePayment(from, to)).toBe(true);
    expect(movePayment(payment, to, at)).toEqual({ ...payment, status: to, updatedAt: at });
  });

  it.each(EVERY_PAIR.filter(([from, to]) => !allowed(from, to)))(
    '%s -> %s is refused with a domain error, and the payment is left as it was',
    (from, to) => {
      const at = new Date('2030-01-01T00:00:00Z');
      const payment = { id: 'p-1', status: from, updatedAt: new Date('2029-01-01T00:00:00Z') };

      expect(canMovePayment(from, to)).toBe(false);
      expect(() => movePayment(payment, to, at)).toThrow(PaymentTransitionRefusedError);
      expect(() => movePayment(payment, to, at)).toThrow(
        expect.objectContaining({ code: 'payment_transition_refused' }),
      );
      expect(payment.status).toBe(from);
    },
  );

  it('checks all 16 pairs: 5 allowed, 11 refused', () => {
    expect(EVERY_PAIR).toHaveLength(16);
    expect(EVERY_PAIR.filter(([from, to]) => canMovePayment(from, to))).toEqual(ALLOWED);
  });
});
