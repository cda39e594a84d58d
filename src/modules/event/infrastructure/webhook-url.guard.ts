import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import type { HostResolver, WebhookUrlGuard } from '../application/ports';
import { InvalidWebhookUrlError } from '../domain/event.errors';
import { isIpLiteral, isPublicAddress } from '../domain/public-address';
import { HOST_RESOLVER } from '../event.tokens';

const bare = (host: string) => (host.startsWith('[') ? host.slice(1, -1) : host);

/**
 * At registration: an endpoint URL must be https, carry no credentials, and name a host whose every
 * address is public. WEBHOOK_ALLOW_PRIVATE=true lifts the https and address rules (tests, private
 * networks). Delivery checks the address again, on the connection itself.
 */
@Injectable()
export class ResolvingWebhookUrlGuard implements WebhookUrlGuard {
  constructor(
    private readonly config: AppConfig,
    @Inject(HOST_RESOLVER) private readonly resolver: HostResolver,
  ) {}

  async check(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidWebhookUrlError('The URL is not an absolute URL');
    }
    const allowPrivate = this.config.WEBHOOK_ALLOW_PRIVATE === 'true';
    const schemes = allowPrivate ? ['https:', 'http:'] : ['https:'];
    if (!schemes.includes(parsed.protocol)) {
      throw new InvalidWebhookUrlError(`The URL must be ${allowPrivate ? 'http or https' : 'https'}`);
    }
    if (parsed.username || parsed.password) {
      throw new InvalidWebhookUrlError('The URL must not carry credentials');
    }
    if (allowPrivate) return;
    const host = bare(parsed.hostname);
    let addresses: string[];
    if (isIpLiteral(host)) {
      addresses = [host];
    } else {
      try {
        addresses = await this.resolver.resolve(host);
      } catch {
        throw new InvalidWebhookUrlError(`The host ${host} does not resolve`);
      }
    }
    const refused = addresses.find((address) => !isPublicAddress(address));
    if (addresses.length === 0 || refused !== undefined) {
      throw new InvalidWebhookUrlError(
        `The host ${host} resolves to ${refused ?? 'nothing'}, which is not a public address`,
      );
    }
  }
}
