import { decide, OrderForPayment, PaymentEvent } from './payment-event';

const order = (over: Partial<OrderForPayment> = {}): OrderForPayment => ({
  status: 'pending_payment',
  amount: 1000n,
  currency: 'USD',
  externalPaymentId: null,
  paymentStatus: null,
  ...over,
});
const succeeded: PaymentEvent = {
  type: 'payment.succeeded',
  paymentId: 'pay_1',
  amount: 1000n,
  currency: 'USD',
};
const failed: PaymentEvent = { ...succeeded, type: 'payment.failed' };

describe('decide', () => {
  it('pays a pending order on success and cancels it on failure', () => {
    expect(decide(succeeded, order())).toEqual({ apply: 'mark_paid' });
    expect(decide(failed, order())).toEqual({ apply: 'cancel' });
  });

  it('never moves a paid order back on a late failure', () => {
    expect(decide(failed, order({ status: 'paid', externalPaymentId: 'pay_1' }))).toEqual({
      apply: 'nothing',
      reason: 'order_paid',
    });
  });

  it('records a success on a cancelled order as refund_required, once', () => {
    expect(decide(succeeded, order({ status: 'cancelled' }))).toEqual({ apply: 'record_refund_required' });
    expect(decide(succeeded, order({ status: 'cancelled', paymentStatus: 'refund_required' }))).toEqual({
      apply: 'nothing',
      reason: 'refund_already_required',
    });
    // Settled by the admin since: still never a second payment for the order.
    expect(decide(succeeded, order({ status: 'cancelled', paymentStatus: 'refunded' }))).toEqual({
      apply: 'nothing',
      reason: 'refund_already_required',
    });
  });

  it('treats a partially refunded order as paid', () => {
    expect(decide(succeeded, order({ status: 'partially_refunded', externalPaymentId: 'pay_1' }))).toEqual({
      apply: 'nothing',
      reason: 'already_applied',
    });
    expect(decide(failed, order({ status: 'partially_refunded' }))).toEqual({
      apply: 'nothing',
      reason: 'order_partially_refunded',
    });
  });

  it('does nothing on a second success', () => {
    expect(decide(succeeded, order({ status: 'paid', externalPaymentId: 'pay_1' }))).toEqual({
      apply: 'nothing',
      reason: 'already_applied',
    });
    expect(
      decide({ ...succeeded, paymentId: 'pay_2' }, order({ status: 'paid', externalPaymentId: 'pay_1' })),
    ).toEqual({
      apply: 'nothing',
      reason: 'order_already_paid',
    });
    expect(decide(succeeded, order({ status: 'refunded' }))).toEqual({
      apply: 'nothing',
      reason: 'order_refunded',
    });
  });

  it('ignores an amount or currency that does not match, whatever the type', () => {
    expect(decide({ ...succeeded, amount: 999n }, order())).toEqual({
      apply: 'nothing',
      reason: 'amount_mismatch',
    });
    expect(decide({ ...failed, currency: 'EUR' }, order())).toEqual({
      apply: 'nothing',
      reason: 'currency_mismatch',
    });
  });
});
