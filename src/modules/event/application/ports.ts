import type { AttemptOutcome } from '../domain/delivery';

/** A recorded event as the outbox writes it. */
export interface OutboxRow {
  id: string;
  type: string;
  accountId: string;
  resourceType: string;
  resourceId: string;
  /** The event's `data`: `object` is the resource as its GET shows it. */
  data: { object: unknown };
}

/** Writes events as part of their caller's transaction, without a round trip of their own. */
export interface EventOutbox<Tx = unknown> {
  append(tx: Tx, rows: OutboxRow[]): void;
}

/** Encrypts endpoint secrets at rest; `context` (the endpoint id) binds a sealed value to its row. */
export interface SecretBox {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** Refuses a webhook URL that is not https to a public address (resolving its host). */
export interface WebhookUrlGuard {
  check(url: string): Promise<void>;
}

/** One attempt of a message: `body` is POSTed to `url`, signed per Standard Webhooks with each of `secrets`. */
export interface WebhookMessage {
  url: string;
  /** The `webhook-id`: the event id, the same on every attempt, so that receivers deduplicate by it. */
  messageId: string;
  body: string;
  secrets: string[];
}

/** Sends one attempt: never follows redirects, checks the address it connects to, gives up after 10 s. */
export interface WebhookSender {
  send(message: WebhookMessage): Promise<AttemptOutcome>;
}

/** Queued attempts, each at its due time; the sweeper backs them up. */
export interface DeliveryJobs {
  schedule(attempts: Array<{ id: string; attempt: number; delayMs: number }>): Promise<void>;
}

/** Resolves a host name to its addresses. */
export interface HostResolver {
  resolve(host: string): Promise<string[]>;
}
