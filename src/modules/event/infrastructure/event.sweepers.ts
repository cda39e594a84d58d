import { Injectable } from '@nestjs/common';
import { PeriodicSweeper } from '../../../shared/queue/periodic-sweeper';
import { DeliverWebhooksService, DELIVERY_BATCH } from '../application/deliver-webhooks.service';
import { PurgeEventsService, PURGE_BATCH } from '../application/purge-events.service';
import { RELAY_BATCH, RelayEventsService } from '../application/relay-events.service';

/** Fans recorded events out to their endpoints' deliveries, as soon as they are committed. */
@Injectable()
export class EventRelaySweeper extends PeriodicSweeper {
  constructor(private readonly relay: RelayEventsService) {
    super({ intervalMs: 250, batchSize: RELAY_BATCH });
  }

  protected sweep(): Promise<number> {
    return this.relay.relay();
  }
}

/**
 * Attempts the due deliveries that no queued job attempted (Redis down or wiped, a worker killed
 * mid-attempt and its lease run out), and the retries that a test clock made due.
 */
@Injectable()
export class WebhookDeliverySweeper extends PeriodicSweeper {
  constructor(private readonly deliveries: DeliverWebhooksService) {
    super({ intervalMs: 1000, batchSize: DELIVERY_BATCH });
  }

  protected sweep(): Promise<number> {
    return this.deliveries.attemptDue();
  }
}

/** Deletes events past EVENT_RETENTION_DAYS, with their deliveries. */
@Injectable()
export class EventRetentionSweeper extends PeriodicSweeper {
  constructor(private readonly events: PurgeEventsService) {
    super({ intervalMs: 60_000, batchSize: PURGE_BATCH });
  }

  protected sweep(): Promise<number> {
    return this.events.purge();
  }
}
