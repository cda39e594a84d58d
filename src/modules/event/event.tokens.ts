export const EVENT_REPOSITORY = Symbol('EVENT_REPOSITORY');
export const WEBHOOK_ENDPOINT_REPOSITORY = Symbol('WEBHOOK_ENDPOINT_REPOSITORY');
export const DELIVERY_REPOSITORY = Symbol('DELIVERY_REPOSITORY');
/** The outbox's statement: how recorded events ride along in their change's transaction. */
export const EVENT_OUTBOX = Symbol('EVENT_OUTBOX');
export const SECRET_BOX = Symbol('SECRET_BOX');
export const WEBHOOK_URL_GUARD = Symbol('WEBHOOK_URL_GUARD');
export const WEBHOOK_SENDER = Symbol('WEBHOOK_SENDER');
export const DELIVERY_JOBS = Symbol('DELIVERY_JOBS');
/** Resolves host names for webhook URLs (the system resolver; tests bind one they control). */
export const HOST_RESOLVER = Symbol('HOST_RESOLVER');

/** The Bull queue whose jobs (id = delivery id and attempt) make one delivery attempt. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-deliveries';
