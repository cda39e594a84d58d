/** Bull queue of the delayed hold-expiry jobs (job id `hold-expiry:<holdId>`). */
export const HOLD_EXPIRY_QUEUE = 'hold-expiry';
export const EXPIRE_HOLD_JOB = 'expire-hold';

export const holdExpiryJobId = (holdId: string) => `hold-expiry:${holdId}`;
