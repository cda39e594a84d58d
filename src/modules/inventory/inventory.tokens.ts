import type { Deadline } from '../../shared/queue/deadline';

export const PRODUCT_REPOSITORY = Symbol('PRODUCT_REPOSITORY');
export const HOLD_REPOSITORY = Symbol('HOLD_REPOSITORY');
export const PRODUCT_CACHE = Symbol('PRODUCT_CACHE');
export const SOLD_OUT_REGISTRY = Symbol('SOLD_OUT_REGISTRY');
export const HOLD_EXPIRY_SCHEDULER = Symbol('HOLD_EXPIRY_SCHEDULER');

/** Bull queue of the delayed hold-expiry jobs: one per batch of holds (job id `hold-expiry:<its first hold's id>`). */
export const HOLD_EXPIRY_QUEUE = 'hold-expiry';

export const holdExpiryJobId = (holdId: string) => `hold-expiry:${holdId}`;

export const HOLD_EXPIRY: Deadline = {
  queue: HOLD_EXPIRY_QUEUE,
  job: 'expire-hold',
  jobId: holdExpiryJobId,
  sweepBatch: 500,
};
