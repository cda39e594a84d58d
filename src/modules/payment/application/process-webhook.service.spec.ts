import { counters, customer, seedPlacedOrder } from '../../../../test/support/in-memory/fixtures';
import { seedHeldProduct } from '../../../../test/support/in-memory/inventory';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { ConsumeHoldService } from '../../inventory/application/consume-hold.service';
import { InventoryMetrics } from '../../inventory/application/inventory-metrics';
import { StockFacade } from '../../inventory/application/stock.facade';
import { CreateOrderService } from '../../order/application/create-order.service';
import { OrderCreationHooks } from '../../order/application/order-creation-hooks';
import { OrderLifecycleFacade } from '../../order/application/order-lifecycle.facade';
import { OrderMetrics } from '../../order/application/order-metrics';
import type { InboxEvent } from '../domain/payment.repository';
import { ApplyPendingEventsListener } from './apply-pending-events.listener';
import { PaymentEventApplier } from './payment-event-applier';
import { PaymentMetrics } from './payment-metrics';
import { ProcessWebhookService } from './process-webhook.service';

const alice = customer('Alice');
let delivery = 0;

async function setup() {
  const t = await inMemoryModule([
    ProcessWebhookService,
    PaymentEventApplier,
    ApplyPendingEventsListener,
    PaymentMetrics,
    OrderLifecycleFacade,
    CreateOrderService,
    OrderCreationHooks,
    OrderMetrics,
    ConsumeHoldService,
    StockFacade,
    InventoryMetrics,
  ]);
  const service = t.module.get(ProcessWebhookService);
  const deliver = (event: Partial<InboxEvent> & Pick<InboxEvent, 'type'>) =>
    service.execute(
      {
        id: `msg_${++delivery}`,
        paymentId: 'pay_1',
        orderId: null,
        holdId: null,
        amount: 3000n,
        currency: 'USD',
        ...event,
      },
      { raw: true },
    );
  return { ...t, service, deliver };
}

describe('ProcessWebhookService', () => {
  it('a success for a pending order pays it: an external payment is recorded and its units are sold', async () => {
    const t = await setup();
    const { product, order } = seedPlacedOrder(t.db, alice.accountId, { quantity: 2, unitPrice: 1500n });

    const answer = await t.deliver({ id: 'msg_paid', type: 'payment.succeeded', orderId: order.id });

    expect(answer).toEqual({
      status: 200,
      duplicate: false,
      body: {
        status: 'processed',
        event_id: 'msg_paid',
        order_id: order.id,
        order_status: 'paid',
        payment_status: 'succeeded',
      },
    });
    const [payment] = t.payments.paymentsOf(order.id);
    expect(payment).toMatchObject({
      method: 'external',
      status: 'succeeded',
      paysOrder: true,
      amount: 3000n,
      externalPaymentId: 'pay_1',
    });
    expect(t.orders.committed(order.id)).toMatchObject({ status: 'paid', paymentId: payment.id });
    expect(counters(t.products.committed(product.id))).toEqual({ available: 8, reserved: 0, sold: 2 });
    expect(t.payments.inbox('msg_paid')).toMatchObject({ status: 'processed', appliedOrderId: order.id });
  });

  it('a repeated webhook-id gets the first answer again and has no second effect, whatever it now says', async () => {
    const t = await setup();
    const { product, order } = seedPlacedOrder(t.db, alice.accountId);
    const first = await t.deliver({ id: 'msg_once', type: 'payment.succeeded', orderId: order.id });

    const repeat = await t.deliver({
      id: 'msg_once',
      type: 'payment.failed',
      orderId: order.id,
      paymentId: 'pay_2',
    });

    expect(repeat).toEqual({ ...first, duplicate: true });
    expect(t.payments.paymentsOf(order.id)).toHaveLength(1);
    expect(t.orders.committed(order.id)?.status).toBe('paid');
    expect(counters(t.products.committed(product.id))).toEqual({ available: 8, reserved: 0, sold: 2 });
  });

  it('a failure cancels a pending order and its units go back; a late failure after payment changes nothing', async () => {
    const t = await setup();
    const pending = seedPlacedOrder(t.db, alice.accountId);
    const paid = seedPlacedOrder(t.db, alice.accountId, { status: 'paid', paymentId: 'p-1' });

    const cancelled = await t.deliver({ type: 'payment.failed', orderId: pending.order.id });
    const late = await t.deliver({ type: 'payment.failed', orderId: paid.order.id });

    expect(cancelled.body).toMatchObject({ status: 'processed', order_status: 'cancelled' });
    expect(counters(t.products.committed(pending.product.id))).toEqual({
      available: 10,
      reserved: 0,
      sold: 0,
    });
    expect(late.body).toMatchObject({ status: 'ignored', reason: 'order_paid', order_status: 'paid' });
    expect(t.orders.committed(paid.order.id)?.status).toBe('paid');
    expect(counters(t.products.committed(paid.product.id))).toEqual({ available: 8, reserved: 0, sold: 2 });
  });

  it('a success for a cancelled order leaves it cancelled and shows its money as refund_required', async () => {
    const t = await setup();
    const { product, order } = seedPlacedOrder(t.db, alice.accountId, { status: 'cancelled' });

    const answer = await t.deliver({ type: 'payment.succeeded', orderId: order.id });

    expect(answer.body).toMatchObject({
      status: 'processed',
      order_status: 'cancelled',
      payment_status: 'refund_required',
    });
    const [payment] = t.payments.paymentsOf(order.id);
    expect(payment).toMatchObject({
      status: 'refund_required',
      paysOrder: false,
      externalPaymentId: 'pay_1',
    });
    expect(t.orders.committed(order.id)).toMatchObject({ status: 'cancelled', paymentId: payment.id });
    expect(counters(t.products.committed(product.id))).toEqual({ available: 10, reserved: 0, sold: 0 });
  });

  it('an amount or currency that does not match the order changes nothing, and is recorded as ignored', async () => {
    const t = await setup();
    const { order } = seedPlacedOrder(t.db, alice.accountId);

    const short = await t.deliver({
      id: 'msg_short',
      type: 'payment.succeeded',
      orderId: order.id,
      amount: 2999n,
    });
    const euros = await t.deliver({ type: 'payment.succeeded', orderId: order.id, currency: 'EUR' });

    expect(short).toMatchObject({ status: 200, body: { status: 'ignored', reason: 'amount_mismatch' } });
    expect(euros.body).toMatchObject({ status: 'ignored', reason: 'currency_mismatch' });
    expect(t.orders.committed(order.id)).toMatchObject({ status: 'pending_payment', paymentId: null });
    expect(t.payments.paymentsOf(order.id)).toEqual([]);
    expect(t.payments.inbox('msg_short')).toMatchObject({ status: 'ignored', reason: 'amount_mismatch' });
  });

  it('a provider payment is recorded once; another one for a paid order is kept aside as money owed back', async () => {
    const t = await setup();
    const { order } = seedPlacedOrder(t.db, alice.accountId);
    await t.deliver({ type: 'payment.succeeded', orderId: order.id, paymentId: 'pay_1' });

    const again = await t.deliver({ type: 'payment.succeeded', orderId: order.id, paymentId: 'pay_1' });
    const second = await t.deliver({ type: 'payment.succeeded', orderId: order.id, paymentId: 'pay_2' });

    expect(again.body).toMatchObject({ status: 'ignored', reason: 'already_applied' });
    expect(second.body).toMatchObject({
      status: 'processed',
      order_status: 'paid',
      payment_status: 'refund_required',
    });
    const payments = t.payments.paymentsOf(order.id);
    expect(payments.map((p) => [p.externalPaymentId, p.paysOrder, p.status]).sort()).toEqual([
      ['pay_1', true, 'succeeded'],
      ['pay_2', false, 'refund_required'],
    ]);
    expect(t.orders.committed(order.id)?.paymentId).toBe(payments.find((p) => p.paysOrder)?.id);
  });

  it('an event about a hold with no order yet is kept pending (202), and the order is born paid from it', async () => {
    const t = await setup();
    const { product, hold } = seedHeldProduct(t.db, alice.accountId, { quantity: 2, price: 1500n });

    const early = await t.deliver({ id: 'msg_early', type: 'payment.succeeded', holdId: hold.id });
    expect(early).toEqual({
      status: 202,
      duplicate: false,
      body: { status: 'pending', event_id: 'msg_early' },
    });

    const order = await t.module.get(CreateOrderService).execute(alice, hold.id, undefined);

    expect(order).toMatchObject({ status: 'paid', payment: { method: 'external', status: 'succeeded' } });
    expect(counters(t.products.committed(product.id))).toEqual({ available: 8, reserved: 0, sold: 2 });
    expect(t.payments.inbox('msg_early')).toMatchObject({ status: 'processed', appliedOrderId: order.id });
    // The delivery keeps its first answer: a retry of that webhook-id replays the 202.
    expect(await t.deliver({ id: 'msg_early', type: 'payment.succeeded', holdId: hold.id })).toEqual({
      ...early,
      duplicate: true,
    });
  });

  it('an unknown order id with no hold is pending, and nothing else is written', async () => {
    const t = await setup();
    const answer = await t.deliver({
      id: 'msg_unknown',
      type: 'payment.succeeded',
      orderId: '00000000-0000-4000-8000-000000000000',
    });
    expect(answer.status).toBe(202);
    expect(t.payments.inbox('msg_unknown')?.status).toBe('pending');
    expect(t.orders.all()).toEqual([]);
  });
});
