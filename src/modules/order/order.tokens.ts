import type { Deadline } from '../../shared/queue/deadline';

export const ORDER_REPOSITORY = Symbol('ORDER_REPOSITORY');
export const ORDER_VIEWS = Symbol('ORDER_VIEWS');
export const ORDER_EXPIRY_SCHEDULER = Symbol('ORDER_EXPIRY_SCHEDULER');

/** Bull queue of the delayed unpaid-order expiry jobs: one per order (job id `order-expiry:<orderId>`). */
export const ORDER_EXPIRY_QUEUE = 'order-expiry';

export const orderExpiryJobId = (orderId: string) => `order-expiry:${orderId}`;

export const ORDER_EXPIRY: Deadline = {
  queue: ORDER_EXPIRY_QUEUE,
  job: 'expire-order',
  jobId: orderExpiryJobId,
  sweepBatch: 200,
};
