import type { Delivery, DeliveryStatus } from './delivery';

export const ENDPOINT_STATUSES = ['enabled', 'disabled'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** After a rotation the previous secret signs too, for this long. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3600_000;

export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  enabledEvents: string[];
  description: string | null;
  status: EndpointStatus;
  /** Since when every delivery to it has failed; null while it delivers. */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The signing secrets of an endpoint, in clear: only ever in memory. */
export interface EndpointSecrets {
  current: string;
  previous: string | null;
  previousExpiresAt: Date | null;
}

/** The secrets that sign a message sent at `now`: the current one, and the previous one during its grace. */
export function signingSecrets(secrets: EndpointSecrets, now: number): string[] {
  const previous =
    secrets.previous !== null &&
    secrets.previousExpiresAt !== null &&
    secrets.previousExpiresAt.getTime() > now
      ? [secrets.previous]
      : [];
  return [secrets.current, ...previous];
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
}

export type { Delivery };
