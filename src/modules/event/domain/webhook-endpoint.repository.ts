import type { Cursor } from '../../../shared/domain/cursor';
import type { EndpointSecrets, WebhookEndpoint } from './webhook-endpoint';

/** Storage of webhook endpoints and their secrets (sealed at rest by the implementation's caller). */
export interface WebhookEndpointRepository<Tx = unknown> {
  insert(tx: Tx, endpoint: WebhookEndpoint, sealedSecret: string): Promise<void>;
  findById(id: string): Promise<WebhookEndpoint | null>;
  /** Newest first, `limit + 1` rows; every account's when `accountId` is absent. */
  listPage(accountId: string | undefined, limit: number, after?: Cursor): Promise<WebhookEndpoint[]>;
  /** Writes url, enabled events, description, status, failing_since and updated_at. */
  save(tx: Tx, endpoint: WebhookEndpoint): Promise<void>;
  lockById(tx: Tx, id: string): Promise<WebhookEndpoint | null>;
  delete(tx: Tx, id: string): Promise<boolean>;
  /** The sealed secrets, as stored. */
  sealedSecrets(id: string): Promise<SealedSecrets | null>;
  /** The new current secret; the old one becomes the previous one until `previousExpiresAt`. */
  rotateSecret(tx: Tx, id: string, sealedSecret: string, now: Date, previousExpiresAt: Date): Promise<void>;
  /** Enabled endpoints of these accounts. */
  enabledOf(tx: Tx, accountIds: string[]): Promise<WebhookEndpoint[]>;
}

export interface SealedSecrets extends Omit<EndpointSecrets, 'current' | 'previous'> {
  current: string;
  previous: string | null;
}
