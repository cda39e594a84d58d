import type { Deadline } from '../../shared/queue/deadline';

export const WALLET_REPOSITORY = Symbol('WALLET_REPOSITORY');
export const TRANSFER_REPOSITORY = Symbol('TRANSFER_REPOSITORY');
export const WALLET_LOCK = Symbol('WALLET_LOCK');
export const AUTHORIZATION_EXPIRY_SCHEDULER = Symbol('AUTHORIZATION_EXPIRY_SCHEDULER');

/**
 * Bull queue of the delayed authorization-expiry jobs: one per batch's authorizations of one lifetime
 * (job id `authorization-expiry:<the first one's id>`).
 */
export const AUTHORIZATION_EXPIRY_QUEUE = 'authorization-expiry';

export const authorizationExpiryJobId = (id: string) => `authorization-expiry:${id}`;

export const AUTHORIZATION_EXPIRY: Deadline = {
  queue: AUTHORIZATION_EXPIRY_QUEUE,
  job: 'expire-authorization',
  jobId: authorizationExpiryJobId,
  sweepBatch: 500,
};
