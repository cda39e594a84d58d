import { getQueueToken } from '@nestjs/bull';
import type { Type } from '@nestjs/common';
import type { Queue } from 'bull';
import { BOOKING_QUEUE } from '../../src/modules/booking/booking.tokens';
import { BookingSweeper } from '../../src/modules/booking/infrastructure/booking.sweeper';
import { HoldExpirySweeper } from '../../src/modules/inventory/infrastructure/hold-expiry.processor';
import { HOLD_EXPIRY_QUEUE } from '../../src/modules/inventory/inventory.tokens';
import { OrderExpirySweeper } from '../../src/modules/order/infrastructure/order-expiry.processor';
import { ORDER_EXPIRY_QUEUE } from '../../src/modules/order/order.tokens';
import { IDEMPOTENCY_QUEUE } from '../../src/shared/idempotency/idempotency-purge.processor';
import type { TestApp } from './test-app';

export const QUEUES = [HOLD_EXPIRY_QUEUE, ORDER_EXPIRY_QUEUE, BOOKING_QUEUE, IDEMPOTENCY_QUEUE];

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
  const sweepers: Type<unknown>[] = [HoldExpirySweeper, OrderExpirySweeper, BookingSweeper];
  return sweepers
    .filter((sweeper) => {
      try {
        return t.app.get(sweeper, { strict: false }) instanceof sweeper;
      } catch {
        return false;
      }
    })
    .map((sweeper) => sweeper.name);
}
