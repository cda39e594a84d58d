/** The changes a client may subscribe to (API.md, "Events and outbound webhooks"). */
export const EVENT_TYPES = [
  'wallet.credited',
  'wallet.debited',
  'transfer.created',
  'hold.created',
  'hold.released',
  'hold.expired',
  'order.created',
  'order.paid',
  'order.cancelled',
  'order.refunded',
  'payment.refund_required',
  'payment.resolved',
  'authorization.created',
  'authorization.captured',
  'authorization.voided',
  'authorization.expired',
  'booking.confirmed',
  'booking.failed',
  'booking.cancelled',
  'booking.action_required',
  'webhook_endpoint.disabled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The kind of resource an event is about: the part of its type before the dot. */
export type ResourceType = EventType extends `${infer R}.${string}` ? R : never;

export const resourceTypeOf = (type: EventType): ResourceType =>
  type.slice(0, type.indexOf('.')) as ResourceType;

/** A change as recorded: `object` is the resource as its GET shows it after the change. */
export interface DomainEvent {
  id: string;
  type: EventType;
  accountId: string;
  resourceId: string;
  object: unknown;
  createdAt: Date;
}

/** Subscribing to every type. */
export const ALL_EVENTS = '*';

export function subscribes(enabledEvents: readonly string[], type: EventType): boolean {
  return enabledEvents.includes(ALL_EVENTS) || enabledEvents.includes(type);
}
