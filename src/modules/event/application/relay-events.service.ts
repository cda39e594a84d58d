import { Inject, Injectable, Logger } from '@nestjs/common';
import { v7 as timeOrderedUuid } from 'uuid';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { ADMIN_ACCOUNT_ID } from '../../account/domain/account';
import { subscribes } from '../domain/event';
import type { EventRepository } from '../domain/event.repository';
import type { DeliveryRepository, NewDelivery } from '../domain/delivery.repository';
import type { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import {
  DELIVERY_JOBS,
  DELIVERY_REPOSITORY,
  EVENT_REPOSITORY,
  WEBHOOK_ENDPOINT_REPOSITORY,
} from '../event.tokens';
import type { DeliveryJobs } from './ports';

/** Outbox rows (each one statement's events) one relay transaction fans out. */
export const RELAY_BATCH = 200;

const logger = new Logger('EventRelay');

/**
 * The outbox relay: takes the outbox's oldest rows into `events` (one relay at a time; a killed one
 * rolls back and loses nothing), makes one pending delivery per enabled endpoint that subscribes to
 * each of their events (the account's own endpoints and the admin's) in the same transaction, then
 * queues their first attempts.
 */
@Injectable()
export class RelayEventsService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(EVENT_REPOSITORY) private readonly events: EventRepository<EntityManager>,
    @Inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository<EntityManager>,
    @Inject(DELIVERY_REPOSITORY) private readonly deliveries: DeliveryRepository<EntityManager>,
    @Inject(DELIVERY_JOBS) private readonly jobs: DeliveryJobs,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * One batch; returns how many outbox rows it took, so that its sweeper turns again at once only
   * after a full batch (RELAY_BATCH rows), when more may be waiting.
   */
  async relay(): Promise<number> {
    const { rows, created } = await this.uow.run(async (em) => {
      const { rows, listened } = await this.events.takeUndispatched(em, RELAY_BATCH, ADMIN_ACCOUNT_ID);
      const created: NewDelivery[] = [];
      if (listened.length > 0) {
        const accounts = [...new Set(listened.map((event) => event.accountId).concat(ADMIN_ACCOUNT_ID))];
        const endpoints = await this.endpoints.enabledOf(em, accounts);
        for (const event of listened) {
          for (const endpoint of endpoints) {
            const owns = endpoint.accountId === event.accountId || endpoint.accountId === ADMIN_ACCOUNT_ID;
            if (owns && subscribes(endpoint.enabledEvents, event.type)) {
              created.push({ id: timeOrderedUuid(), endpointId: endpoint.id, eventId: event.id });
            }
          }
        }
        await this.deliveries.insertPending(em, created, new Date(this.clock.now()));
      }
      return { rows, created };
    });
    if (created.length > 0) {
      // Redis may be down: the delivery sweeper attempts what no job does.
      await this.jobs
        .schedule(created.map((delivery) => ({ id: delivery.id, attempt: 0, delayMs: 0 })))
        .catch((error: Error) => logger.warn(`first attempts not queued: ${error.message}`));
    }
    return rows;
  }
}
