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

  /**
   * A resource's next event waits until its previous one is delivered, so one batch takes at most
   * one delivery per (endpoint, resource): claim again at once while deliveries keep coming, for up
   * to DRAIN_MS, so that a hot wallet's events go out at the pace of the receiver, not of the tick.
   */
  protected async sweep(): Promise<number> {
    const started = Date.now();
    let total = 0;
    for (;;) {
      const attempted = await this.deliveries.attemptDue();
      total += attempted;
      if (attempted === 0 || Date.now() - started >= DRAIN_MS) return total;
    }
  }
}

const DRAIN_MS = 5000;

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
