import { BOOKING_QUEUE } from '../../src/modules/booking/booking.tokens';
import { WEBHOOK_DELIVERY_QUEUE } from '../../src/modules/event/event.tokens';
import { HOLD_EXPIRY_QUEUE } from '../../src/modules/inventory/inventory.tokens';
import { ORDER_EXPIRY_QUEUE } from '../../src/modules/order/order.tokens';
import { AUTHORIZATION_EXPIRY_QUEUE } from '../../src/modules/wallet/wallet.tokens';
import { IDEMPOTENCY_QUEUE } from '../../src/shared/idempotency/idempotency-purge.processor';
import { queueHandlers, sweepersOf } from '../support/role-checks';
import { createTestApp, type TestApp } from '../support/test-app';

// ROLE is read when the modules load; this file loads them with ROLE unset, which is `all`, and
// runs the worker's consumers as ROLE=worker does. api-role.e2e-spec.ts loads them with ROLE=api.
describe('a ROLE=worker process (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ config: { ROLE: 'worker' }, sweepers: true });
  });
  afterAll(() => t.close());

  it('serves neither the documentation nor the demo page', async () => {
    await t.http().get('/health').expect(200);
    await t.http().get('/docs').expect(404);
    await t.http().get('/docs-json').expect(404);
    await t.http().get('/demo/').expect(404);
  });

  it('runs a processor on every queue and every sweeper', () => {
    expect(queueHandlers(t)).toEqual({
      [HOLD_EXPIRY_QUEUE]: ['expire-hold'],
      [ORDER_EXPIRY_QUEUE]: ['expire-order'],
      [AUTHORIZATION_EXPIRY_QUEUE]: ['expire-authorization'],
      [BOOKING_QUEUE]: ['__default__'],
      [IDEMPOTENCY_QUEUE]: ['purge-expired'],
      [WEBHOOK_DELIVERY_QUEUE]: ['attempt'],
    });
    expect(sweepersOf(t)).toEqual([
      'DeadlineSweeper:hold-expiry',
      'DeadlineSweeper:order-expiry',
      'DeadlineSweeper:authorization-expiry',
      'BookingSweeper',
      'EventRelaySweeper',
      'WebhookDeliverySweeper',
      'EventRetentionSweeper',
    ]);
  });
});
