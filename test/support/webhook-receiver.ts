import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The body, parsed: the event. */
  event: {
    id: string;
    type: string;
    account_id: string;
    created_at: string;
    data: { object: Record<string, unknown> };
  };
  /** The status it answered. */
  answered: number;
}

/**
 * A webhook receiver on loopback that does what Standard Webhooks asks of one: it verifies
 * `webhook-signature` over the id, timestamp and raw body with its secret (set once the endpoint is
 * registered) and refuses a message that fails (401); verified ones are kept, in arrival order.
 * `answers` lists the statuses to give to the next verified messages (then 204).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  readonly refused: Array<{ headers: IncomingHttpHeaders; reason: string }> = [];
  answers: number[] = [];
  secret?: string;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(req.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
        };
        try {
          if (!this.secret) throw new Error('no secret yet');
          new Webhook(this.secret).verify(body, headers);
        } catch (error) {
          this.refused.push({ headers: req.headers, reason: (error as Error).message });
          res.writeHead(401).end();
          return;
        }
        const answered = this.answers.shift() ?? 204;
        this.received.push({
          id: headers['webhook-id'],
          timestamp: headers['webhook-timestamp'],
          signature: headers['webhook-signature'],
          body,
          event: JSON.parse(body) as Received['event'],
          answered,
        });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** The verified messages it answered with a 2xx. */
  delivered(): Received[] {
    return this.received.filter((message) => message.answered >= 200 && message.answered < 300);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
