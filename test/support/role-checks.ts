import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { BOOKING_QUEUE } from '../../src/modules/booking/booking.tokens';
import { WEBHOOK_DELIVERY_QUEUE } from '../../src/modules/event/event.tokens';
import { HOLD_EXPIRY_QUEUE } from '../../src/modules/inventory/inventory.tokens';
import { ORDER_EXPIRY_QUEUE } from '../../src/modules/order/order.tokens';
import { AUTHORIZATION_EXPIRY_QUEUE } from '../../src/modules/wallet/wallet.tokens';
import { IDEMPOTENCY_QUEUE } from '../../src/shared/idempotency/idempotency-purge.processor';
import { PeriodicSweeper } from '../../src/shared/queue/periodic-sweeper';
import { SWEEPERS, type TestApp } from './test-app';

export const QUEUES = [
  HOLD_EXPIRY_QUEUE,
  ORDER_EXPIRY_QUEUE,
  AUTHORIZATION_EXPIRY_QUEUE,
  BOOKING_QUEUE,
  IDEMPOTENCY_QUEUE,
  WEBHOOK_DELIVERY_QUEUE,
];

/** For each queue, the job names this app processes: none when no processor is bound to it. */
export function queueHandlers(t: TestApp): Record<string, string[]> {
  return Object.fromEntries(
    QUEUES.map((name) => {
      const queue = t.app.get<Queue & { handlers: object }>(getQueueToken(name), { strict: false });
      return [name, Object.keys(queue.handlers)];
    }),
  );
}

/** The periodic sweepers this app has (created with `sweepers: true`, so that they are the real ones). */
export function sweepersOf(t: TestApp): string[] {
  return SWEEPERS.filter((sweeper) => {
    try {
      return t.app.get(sweeper, { strict: false }) instanceof PeriodicSweeper;
    } catch {
      return false;
    }
  }).map((sweeper) => (typeof sweeper === 'string' ? sweeper : sweeper.name));
}
