import { randomBytes, randomUUID } from 'crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { type Caller, isAdmin } from '../../../shared/domain/caller';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import type { Cursor } from '../../../shared/domain/cursor';
import { NotFoundError } from '../../../shared/domain/domain-error';
import {
  type EndpointStatus,
  PREVIOUS_SECRET_GRACE_MS,
  type WebhookEndpoint,
} from '../domain/webhook-endpoint';
import type { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import { SECRET_BOX, WEBHOOK_ENDPOINT_REPOSITORY, WEBHOOK_URL_GUARD } from '../event.tokens';
import type { SecretBox, WebhookUrlGuard } from './ports';

/** An endpoint with its signing secret, in the answers that create or rotate it (and only there). */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

export interface NewEndpoint {
  url: string;
  enabledEvents: string[];
  description?: string;
}

export interface EndpointChanges {
  url?: string;
  enabledEvents?: string[];
  description?: string | null;
  status?: EndpointStatus;
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Webhook endpoints: a customer manages its own, the admin every account's (and its own, which get every event). */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository<EntityManager>,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(WEBHOOK_URL_GUARD) private readonly urls: WebhookUrlGuard,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(
    caller: Caller,
    request: NewEndpoint,
    idempotent: IdempotentRequest<EndpointWithSecret> | undefined,
  ): Promise<EndpointWithSecret> {
    await this.urls.check(request.url);
    const now = new Date(this.clock.now());
    const endpoint: WebhookEndpoint = {
      id: randomUUID(),
      accountId: caller.accountId,
      url: request.url,
      enabledEvents: [...new Set(request.enabledEvents)],
      description: request.description ?? null,
      status: 'enabled',
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    const secret = newSecret();
    return this.uow.run(
      async (em) => {
        await this.endpoints.insert(em, endpoint, this.secrets.seal(secret, endpoint.id));
        return { endpoint, secret };
      },
      { idempotent },
    );
  }

  list(caller: Caller, limit: number, cursor?: Cursor): Promise<WebhookEndpoint[]> {
    return this.endpoints.listPage(isAdmin(caller) ? undefined : caller.accountId, limit, cursor);
  }

  async get(id: string, caller: Caller): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint || (!isAdmin(caller) && endpoint.accountId !== caller.accountId)) {
      throw new NotFoundError('Webhook endpoint', id);
    }
    return endpoint;
  }

  /** Re-enabling an endpoint starts its failure count afresh: it is judged on what it does from now. */
  async update(id: string, caller: Caller, changes: EndpointChanges): Promise<WebhookEndpoint> {
    if (changes.url !== undefined) await this.urls.check(changes.url);
    return this.uow.run(async (em) => {
      const endpoint = await this.owned(em, id, caller);
      const updated: WebhookEndpoint = {
        ...endpoint,
        url: changes.url ?? endpoint.url,
        enabledEvents: changes.enabledEvents ? [...new Set(changes.enabledEvents)] : endpoint.enabledEvents,
        description: changes.description !== undefined ? changes.description : endpoint.description,
        status: changes.status ?? endpoint.status,
        failingSince: changes.status === 'enabled' ? null : endpoint.failingSince,
        updatedAt: new Date(this.clock.now()),
      };
      await this.endpoints.save(em, updated);
      return updated;
    });
  }

  async delete(id: string, caller: Caller): Promise<void> {
    await this.uow.run(async (em) => {
      await this.owned(em, id, caller);
      await this.endpoints.delete(em, id);
    });
  }

  /** A new secret; the previous one goes on signing beside it for 24 hours. */
  rotateSecret(
    id: string,
    caller: Caller,
    idempotent: IdempotentRequest<EndpointWithSecret> | undefined,
  ): Promise<EndpointWithSecret> {
    const secret = newSecret();
    return this.uow.run(
      async (em) => {
        const endpoint = await this.owned(em, id, caller);
        const now = this.clock.now();
        await this.endpoints.rotateSecret(
          em,
          id,
          this.secrets.seal(secret, id),
          new Date(now),
          new Date(now + PREVIOUS_SECRET_GRACE_MS),
        );
        return { endpoint: { ...endpoint, updatedAt: new Date(now) }, secret };
      },
      { idempotent },
    );
  }

  /** The endpoint, locked, if the caller may manage it (its own, or any for the admin). */
  async owned(em: EntityManager, id: string, caller: Caller): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.lockById(em, id);
    if (!endpoint || (!isAdmin(caller) && endpoint.accountId !== caller.accountId)) {
      throw new NotFoundError('Webhook endpoint', id);
    }
    return endpoint;
  }
}
