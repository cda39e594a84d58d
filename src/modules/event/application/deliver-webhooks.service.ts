import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { afterAttempt, ATTEMPT_LEASE_MS, type AttemptOutcome, failedTooLong } from '../domain/delivery';
import type { ClaimedDelivery, DeliveryRepository } from '../domain/delivery.repository';
import { signingSecrets } from '../domain/webhook-endpoint';
import type { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import {
  DELIVERY_JOBS,
  DELIVERY_REPOSITORY,
  SECRET_BOX,
  WEBHOOK_ENDPOINT_REPOSITORY,
  WEBHOOK_SENDER,
} from '../event.tokens';
import { EventMetrics } from './event-metrics';
import { EventRecorder } from './event-recorder';
import type { DeliveryJobs, SecretBox, WebhookSender } from './ports';
import { isoTime } from '../../../shared/time/iso-time';

/** Attempts one sweep makes at once, each waiting up to 10 s for its receiver. */
export const DELIVERY_BATCH = 20;

const logger = new Logger('WebhookDelivery');

/**
 * Delivery attempts, from the worker only and never inside a business transaction: an attempt is
 * claimed (leased) in a statement of its own, sent with no transaction open, and its outcome recorded
 * in another. The queue's job for an attempt and the sweeper both come here; the claim lets only one
 * of them send.
 */
@Injectable()
export class DeliverWebhooksService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(DELIVERY_REPOSITORY) private readonly deliveries: DeliveryRepository<EntityManager>,
    @Inject(WEBHOOK_ENDPOINT_REPOSITORY) private readonly endpoints: WebhookEndpointRepository<EntityManager>,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(WEBHOOK_SENDER) private readonly sender: WebhookSender,
    @Inject(DELIVERY_JOBS) private readonly jobs: DeliveryJobs,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly recorder: EventRecorder,
    private readonly metrics: EventMetrics,
  ) {}

  /** Attempts the due deliveries (a batch); returns how many it attempted. */
  async attemptDue(): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.deliveries.claimDue(
      new Date(now),
      new Date(now + ATTEMPT_LEASE_MS),
      DELIVERY_BATCH,
    );
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  /** The queued attempt of one delivery: nothing unless it is due (and not taken by another worker). */
  async attemptOne(id: string): Promise<boolean> {
    const now = this.clock.now();
    const [claimed] = await this.deliveries.claimDue(new Date(now), new Date(now + ATTEMPT_LEASE_MS), 1, [
      id,
    ]);
    if (!claimed) return false;
    await this.attempt(claimed);
    return true;
  }

  private async attempt({ delivery, endpoint, event }: ClaimedDelivery): Promise<void> {
    const lease = delivery.nextAttemptAt as Date;
    let outcome: AttemptOutcome;
    try {
      const sealed = await this.endpoints.sealedSecrets(endpoint.id);
      if (!sealed) return;
      const secrets = signingSecrets(
        {
          current: this.secrets.open(sealed.current, endpoint.id),
          previous: sealed.previous === null ? null : this.secrets.open(sealed.previous, endpoint.id),
          previousExpiresAt: sealed.previousExpiresAt,
        },
        this.clock.now(),
      );
      const body = JSON.stringify({
        id: event.id,
        type: event.type,
        account_id: event.accountId,
        created_at: isoTime(event.createdAt),
        data: { object: event.object },
      });
      outcome = await this.sender.send({ url: endpoint.url, messageId: event.id, body, secrets });
    } catch (error) {
      outcome = { ok: false, responseStatus: null, durationMs: 0, error: (error as Error).message };
    }
    const now = this.clock.now();
    const attempt = delivery.attempt + 1;
    const next = afterAttempt(delivery, attempt, outcome, now);
    const settled = await this.deliveries.settle(
      {
        id: delivery.id,
        attempt,
        ...next,
        responseStatus: outcome.responseStatus,
        durationMs: outcome.durationMs,
        error: outcome.error,
      },
      lease,
      delivery.attempt,
    );
    if (!settled) return;
    this.metrics.attempts.inc({
      outcome: next.status === 'pending' ? 'retrying' : next.status,
    });
    if (next.status === 'delivered') this.metrics.lag.observe((now - event.createdAt.getTime()) / 1000);
    await this.judgeEndpoint(endpoint, outcome.ok, now);
    if (next.status === 'pending' && next.nextAttemptAt) {
      await this.jobs
        .schedule([{ id: delivery.id, attempt, delayMs: next.nextAttemptAt.getTime() - now }])
        .catch((error: Error) => logger.warn(`retry of ${delivery.id} not queued: ${error.message}`));
    }
  }

  /**
   * Tracks since when an endpoint has only failed; one that has failed for 5 days is disabled, and
   * its account told so by a `webhook_endpoint.disabled` event. Writes only when something changes.
   */
  private async judgeEndpoint(seen: ClaimedDelivery['endpoint'], ok: boolean, now: number): Promise<void> {
    if (
      ok ? seen.failingSince === null : seen.failingSince !== null && !failedTooLong(seen.failingSince, now)
    ) {
      return;
    }
    await this.uow.run(async (em) => {
      const endpoint = await this.endpoints.lockById(em, seen.id);
      if (!endpoint || endpoint.status !== 'enabled') return;
      if (ok) {
        if (endpoint.failingSince === null) return;
        await this.endpoints.save(em, { ...endpoint, failingSince: null });
        return;
      }
      if (endpoint.failingSince === null) {
        await this.endpoints.save(em, { ...endpoint, failingSince: new Date(now) });
        return;
      }
      if (!failedTooLong(endpoint.failingSince, now)) return;
      const disabled = { ...endpoint, status: 'disabled' as const, updatedAt: new Date(now) };
      this.recorder.record(em, [
        {
          type: 'webhook_endpoint.disabled',
          accountId: endpoint.accountId,
          resourceId: endpoint.id,
          resource: disabled,
        },
      ]);
      await this.endpoints.save(em, disabled);
      this.metrics.endpointsDisabled.inc();
    });
  }
}
