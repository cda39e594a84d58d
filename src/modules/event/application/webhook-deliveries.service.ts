import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { afterCommit, UnitOfWork } from '../../../shared/database/unit-of-work';
import type { Caller } from '../../../shared/domain/caller';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import type { Cursor } from '../../../shared/domain/cursor';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Delivery, DeliveryStatus } from '../domain/delivery';
import type { DeliveryRepository } from '../domain/delivery.repository';
import { DELIVERY_JOBS, DELIVERY_REPOSITORY } from '../event.tokens';
import type { DeliveryJobs } from './ports';
import { WebhookEndpointsService } from './webhook-endpoints.service';

const logger = new Logger('WebhookDeliveries');

/** An endpoint's delivery log, and the manual retry. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly endpoints: WebhookEndpointsService,
    @Inject(DELIVERY_REPOSITORY) private readonly deliveries: DeliveryRepository<EntityManager>,
    @Inject(DELIVERY_JOBS) private readonly jobs: DeliveryJobs,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(
    endpointId: string,
    caller: Caller,
    status: DeliveryStatus | undefined,
    limit: number,
    cursor?: Cursor,
  ): Promise<Delivery[]> {
    await this.endpoints.get(endpointId, caller);
    return this.deliveries.listPage(endpointId, status, limit, cursor);
  }

  /**
   * Sends a delivery again now: a pending one is attempted at once and keeps its schedule; a
   * delivered or failed one gets one more attempt (the event keeps its id, so a receiver that has it
   * already can tell).
   */
  retry(
    endpointId: string,
    deliveryId: string,
    caller: Caller,
    idempotent: IdempotentRequest<Delivery> | undefined,
  ): Promise<Delivery> {
    return this.uow.run(
      async (em) => {
        await this.endpoints.owned(em, endpointId, caller);
        const delivery = await this.deliveries.reopen(em, endpointId, deliveryId, new Date(this.clock.now()));
        if (!delivery) throw new NotFoundError('Delivery', deliveryId);
        afterCommit(em, () =>
          this.jobs
            .schedule([{ id: delivery.id, attempt: delivery.attempt, delayMs: 0 }])
            .catch((error: Error) => logger.warn(`retry of ${delivery.id} not queued: ${error.message}`)),
        );
        return delivery;
      },
      { idempotent },
    );
  }
}
