/** Bull queue of the delayed unpaid-order expiry jobs (job id `order-expiry:<orderId>`). */
export const ORDER_EXPIRY_QUEUE = 'order-expiry';
export const EXPIRE_ORDER_JOB = 'expire-order';

export const orderExpiryJobId = (orderId: string) => `order-expiry:${orderId}`;
