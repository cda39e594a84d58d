import { decide, OrderForPayment, PaymentEvent } from './payment-event';

const order = (over: Partial<OrderForPayment> = {}): OrderForPayment => ({
  status: 'pending_payment',
  amount: 1000n,
  currency: 'USD',
  paymentId: null,
  eventPayment: null,
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
    expect(decide(failed, order({ status: 'paid', eventPayment: 'pays_order' }))).toEqual({
      apply: 'nothing',
      reason: 'order_paid',
    });
  });

  it('records a success on a cancelled order as refund_required, each provider payment once', () => {
    expect(decide(succeeded, order({ status: 'cancelled' }))).toEqual({ apply: 'record_refund_required' });
    expect(
      decide(succeeded, order({ status: 'cancelled', paymentId: 'p-1', eventPayment: 'owed_back' })),
    ).toEqual({
      apply: 'nothing',
      reason: 'refund_already_required',
    });
    // The money of another payment after it is kept too, beside it, whether that one is settled or not.
    expect(decide(succeeded, order({ status: 'cancelled', paymentId: 'p-1' }))).toEqual({
      apply: 'record_surplus',
    });
  });

  it('treats a partially refunded order as paid', () => {
    expect(decide(succeeded, order({ status: 'partially_refunded', eventPayment: 'pays_order' }))).toEqual({
      apply: 'nothing',
      reason: 'already_applied',
    });
    expect(decide(succeeded, order({ status: 'partially_refunded', paymentId: 'p-1' }))).toEqual({
      apply: 'record_surplus',
    });
    expect(decide(failed, order({ status: 'partially_refunded' }))).toEqual({
      apply: 'nothing',
      reason: 'order_partially_refunded',
    });
  });

  it('does nothing on a second success of the payment that paid the order', () => {
    expect(decide(succeeded, order({ status: 'paid', eventPayment: 'pays_order' }))).toEqual({
      apply: 'nothing',
      reason: 'already_applied',
    });
    expect(decide(succeeded, order({ status: 'refunded', eventPayment: 'pays_order' }))).toEqual({
      apply: 'nothing',
      reason: 'already_applied',
    });
  });

  it('keeps the money of another payment for a paid or refunded order as a surplus, once', () => {
    for (const status of ['paid', 'partially_refunded', 'refunded'] as const) {
      expect(decide(succeeded, order({ status, paymentId: 'p-1' }))).toEqual({
        apply: 'record_surplus',
      });
      // Recorded already (settled since, or not): never recorded twice.
      expect(decide(succeeded, order({ status, eventPayment: 'owed_back' }))).toEqual({
        apply: 'nothing',
        reason: 'refund_already_required',
      });
    }
    // A failure of that other payment changes nothing.
    expect(decide(failed, order({ status: 'paid', eventPayment: 'owed_back' }))).toEqual({
      apply: 'nothing',
      reason: 'order_paid',
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
