import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * Standard Webhooks verification: HMAC-SHA256 over "{id}.{timestamp}.{raw body}", any of several
 * space-separated `v1,` signatures (secret rotation), constant-time comparison, timestamp within
 * 300 s either way. A `whsec_` secret is base64 after the prefix; any other secret is its UTF-8 bytes.
 */
export class WebhookSignature {
  private readonly webhook: Webhook;

  constructor(secret: string) {
    this.webhook = secret.startsWith('whsec_')
      ? new Webhook(secret)
      : new Webhook(Buffer.from(secret, 'utf8'), { format: 'raw' });
  }

  /** Returns null when valid, else why not. */
  verify(rawBody: Buffer, headers: Record<string, string | undefined>): string | null {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signature = headers['webhook-signature'];
    if (!id || !timestamp || !signature) return 'missing webhook-id, webhook-timestamp or webhook-signature';
    if (!/^\d{1,12}$/.test(timestamp)) return 'webhook-timestamp is not unix seconds';
    try {
      const message = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
      this.webhook.verify(rawBody, message, { jsonParse: false });
      return null;
    } catch (error) {
      if (error instanceof WebhookVerificationError) return error.message;
      throw error;
    }
  }

  /** For tests and for senders: the `webhook-signature` value of a message. */
  sign(id: string, timestampSeconds: number, rawBody: string): string {
    return this.webhook.sign(id, new Date(timestampSeconds * 1000), rawBody);
  }
}
