import {
  assertPayable,
  canTransition,
  isPaymentOverdue,
  type Order,
  ORDER_STATUSES,
  type OrderStatus,
  planCancel,
  planRefund,
} from './order';
import {
  OrderNotCancellableError,
  OrderNotPayableError,
  OrderNotRefundableError,
  RefundExceedsPaymentError,
} from './order.errors';

const order = (
  status: OrderStatus,
  paymentDueAt = new Date('2030-01-01T00:00:00Z'),
  refundedAmount = 0n,
): Order => ({
  id: 'o1',
  accountId: 'a1',
  holdId: 'h1',
  productId: 'p1',
  quantity: 2,
  unitPrice: 500n,
  amount: 1000n,
  currency: 'USD',
  status,
  refundedAmount,
  paymentDueAt,
  paymentId: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe('order state machine', () => {
  const allowed: Array<[OrderStatus, OrderStatus]> = [
    ['pending_payment', 'paid'],
    ['pending_payment', 'cancelled'],
    ['paid', 'partially_refunded'],
    ['paid', 'refunded'],
    ['partially_refunded', 'partially_refunded'],
    ['partially_refunded', 'refunded'],
  ];

  it.each(ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const)))(
    '%s -> %s follows pending_payment -> paid -> (partially_refunded ->) refunded | cancelled only',
    (from, to) => {
      const expected = allowed.some(([f, t]) => f === from && t === to);
      expect(canTransition(from, to)).toBe(expected);
    },
  );

  it('only a pending order can be paid', () => {
    expect(() => assertPayable(order('pending_payment'))).not.toThrow();
    for (const status of ['paid', 'partially_refunded', 'refunded', 'cancelled'] as const) {
      expect(() => assertPayable(order(status))).toThrow(OrderNotPayableError);
    }
  });

  it('cancels a pending order, leaves a cancelled one, refuses paid and refunded ones', () => {
    expect(planCancel(order('pending_payment'))).toBe('cancel');
    expect(planCancel(order('cancelled'))).toBe('unchanged');
    expect(() => planCancel(order('paid'))).toThrow(OrderNotCancellableError);
    expect(() => planCancel(order('partially_refunded', undefined, 1n))).toThrow(OrderNotCancellableError);
    expect(() => planCancel(order('refunded'))).toThrow(OrderNotCancellableError);
  });

  it('refunds the whole remainder by default, and only a full refund returns the units', () => {
    expect(planRefund(order('paid'))).toEqual({
      amount: 1000n,
      refundedAmount: 1000n,
      status: 'refunded',
      full: true,
    });
    expect(planRefund(order('partially_refunded', undefined, 300n))).toEqual({
      amount: 700n,
      refundedAmount: 1000n,
      status: 'refunded',
      full: true,
    });
  });

  it('partial refunds add up to the amount, never past it', () => {
    expect(planRefund(order('paid'), 1n)).toEqual({
      amount: 1n,
      refundedAmount: 1n,
      status: 'partially_refunded',
      full: false,
    });
    expect(planRefund(order('partially_refunded', undefined, 400n), 600n)).toMatchObject({
      refundedAmount: 1000n,
      status: 'refunded',
      full: true,
    });
    expect(() => planRefund(order('paid'), 1001n)).toThrow(RefundExceedsPaymentError);
    expect(() => planRefund(order('partially_refunded', undefined, 999n), 2n)).toThrow(
      RefundExceedsPaymentError,
    );
  });

  it('refuses an order never paid, or with nothing left to refund', () => {
    expect(() => planRefund(order('pending_payment'))).toThrow(OrderNotRefundableError);
    expect(() => planRefund(order('cancelled'))).toThrow(OrderNotRefundableError);
    expect(() => planRefund(order('refunded', undefined, 1000n))).toThrow(OrderNotRefundableError);
    expect(() => planRefund(order('refunded', undefined, 1000n), 1n)).toThrow(OrderNotRefundableError);
  });

  it('is overdue only while unpaid and at or after its deadline', () => {
    const due = new Date('2030-01-01T00:00:00Z');
    expect(isPaymentOverdue(order('pending_payment', due), new Date(due.getTime() - 1))).toBe(false);
    expect(isPaymentOverdue(order('pending_payment', due), due)).toBe(true);
    expect(isPaymentOverdue(order('paid', due), new Date(due.getTime() + 1000))).toBe(false);
  });
});
