import type { LookupAddress, LookupOptions } from 'dns';
import type { Socket } from 'net';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { Agent, buildConnector, request } from 'undici';
import { AppConfig } from '../../../config/app-config';
import type { HostResolver, WebhookMessage, WebhookSender } from '../application/ports';
import type { AttemptOutcome } from '../domain/delivery';
import { isIpLiteral, isPublicAddress } from '../domain/public-address';
import { HOST_RESOLVER } from '../event.tokens';

/** A receiver has this long to answer (connect, headers and body included). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** What is read of a receiver's answer before it is dropped. */
const ANSWER_LIMIT = 64 * 1024;

class RefusedAddressError extends Error {
  constructor(address: string | undefined) {
    super(`refused: ${address ?? 'an unknown address'} is not a public address`);
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * POSTs signed webhooks with undici. The host is resolved here (HOST_RESOLVER) and only public
 * addresses are handed to the connection; once connected, the socket's own remote address is checked
 * again before a byte of the request is written, so neither a DNS change after registration nor an
 * IP-literal URL reaches a private network (unless WEBHOOK_ALLOW_PRIVATE=true). Redirects are answers
 * like any other non-2xx: never followed.
 */
@Injectable()
export class UndiciWebhookSender implements WebhookSender, OnModuleDestroy {
  private readonly allowPrivate: boolean;
  private readonly agent: Agent;

  constructor(
    config: AppConfig,
    @Inject(HOST_RESOLVER) private readonly resolver: HostResolver,
  ) {
    this.allowPrivate = config.WEBHOOK_ALLOW_PRIVATE === 'true';
    const connect = buildConnector({ timeout: DELIVERY_TIMEOUT_MS, lookup: this.lookup });
    this.agent = new Agent({
      headersTimeout: DELIVERY_TIMEOUT_MS,
      bodyTimeout: DELIVERY_TIMEOUT_MS,
      connect: (options, callback) =>
        connect(options, (error, socket) => {
          if (error || !socket) return callback(error ?? new Error('no connection'), null);
          const address = (socket as Socket).remoteAddress;
          if (!this.allowPrivate && (address === undefined || !isPublicAddress(address))) {
            socket.destroy();
            return callback(new RefusedAddressError(address), null);
          }
          callback(null, socket);
        }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  async send(message: WebhookMessage): Promise<AttemptOutcome> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    const host = new URL(message.url).hostname;
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    if (!this.allowPrivate && isIpLiteral(bare) && !isPublicAddress(bare)) {
      return { ok: false, responseStatus: null, durationMs: 0, error: new RefusedAddressError(bare).message };
    }
    // The time receivers check against their own clocks: the real one, whatever the service's clock says.
    const sentAt = new Date();
    const signature = message.secrets
      .map((secret) => new Webhook(secret).sign(message.messageId, sentAt, message.body))
      .join(' ');
    try {
      const answer = await request(message.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'checkout-wallet-service-webhooks',
          'webhook-id': message.messageId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: message.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await answer.body.dump({ limit: ANSWER_LIMIT }).catch(() => undefined);
      const status = answer.statusCode;
      const ok = status >= 200 && status < 300;
      return {
        ok,
        responseStatus: status,
        durationMs: took(),
        error: ok
          ? null
          : status >= 300 && status < 400
            ? `answered ${status}; redirects are not followed`
            : `answered ${status}`,
      };
    } catch (error) {
      const cause = (error as { cause?: Error }).cause;
      const reason = error instanceof RefusedAddressError ? error : (cause ?? (error as Error));
      return { ok: false, responseStatus: null, durationMs: took(), error: reason.message || String(reason) };
    }
  }

  /** net.connect's `lookup`: the resolver's addresses, refused unless public. */
  private readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    this.resolver.resolve(hostname).then(
      (addresses) => {
        const usable = this.allowPrivate ? addresses : addresses.filter(isPublicAddress);
        if (usable.length === 0) {
          const refused = addresses.find((address) => !isPublicAddress(address));
          return callback(Object.assign(new RefusedAddressError(refused), { code: 'EREFUSED' }), []);
        }
        const entries = usable.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        if (options.all) return callback(null, entries);
        callback(null, entries[0].address, entries[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}
