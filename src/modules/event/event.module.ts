import { Module, type Provider } from '@nestjs/common';
import { workerProviders } from '../../shared/queue/role';
import { queueWithDashboard } from '../../shared/queue/queue-dashboard.module';
import { EventsController } from './api/events.controller';
import { WebhookEndpointEventsPresenter } from './api/webhook-endpoint-events.presenter';
import { WebhookEndpointsController } from './api/webhook-endpoints.controller';
import { DeliverWebhooksService } from './application/deliver-webhooks.service';
import { EventMetrics } from './application/event-metrics';
import { EventRecorder } from './application/event-recorder';
import { EventsService } from './application/events.service';
import { PurgeEventsService } from './application/purge-events.service';
import { RelayEventsService } from './application/relay-events.service';
import { WebhookDeliveriesService } from './application/webhook-deliveries.service';
import { WebhookEndpointsService } from './application/webhook-endpoints.service';
import {
  DELIVERY_JOBS,
  DELIVERY_REPOSITORY,
  EVENT_OUTBOX,
  EVENT_REPOSITORY,
  HOST_RESOLVER,
  SECRET_BOX,
  WEBHOOK_DELIVERY_QUEUE,
  WEBHOOK_ENDPOINT_REPOSITORY,
  WEBHOOK_SENDER,
  WEBHOOK_URL_GUARD,
} from './event.tokens';
import { AesSecretBox } from './infrastructure/aes-secret-box';
import {
  EventRelaySweeper,
  EventRetentionSweeper,
  WebhookDeliverySweeper,
} from './infrastructure/event.sweepers';
import { SqlDeliveryRepository } from './infrastructure/sql-delivery.repository';
import { SqlEventOutbox } from './infrastructure/sql-event-outbox';
import { SqlEventRepository } from './infrastructure/sql-event.repository';
import { SqlWebhookEndpointRepository } from './infrastructure/sql-webhook-endpoint.repository';
import { SystemHostResolver } from './infrastructure/system-host-resolver';
import { UndiciWebhookSender } from './infrastructure/undici-webhook.sender';
import { WebhookDeliveryProcessor } from './infrastructure/webhook-delivery.processor';
import { WebhookDeliveryQueue } from './infrastructure/webhook-delivery.queue';
import { ResolvingWebhookUrlGuard } from './infrastructure/webhook-url.guard';

/**
 * Events and outbound webhooks: the transactional outbox that other modules' use cases record their
 * changes in (EventRecorder, exported), the events API, webhook endpoints, and delivery from the worker.
 */
@Module({
  imports: [...queueWithDashboard(WEBHOOK_DELIVERY_QUEUE)],
  controllers: [EventsController, WebhookEndpointsController],
  providers: [
    EventRecorder,
    EventsService,
    WebhookEndpointsService,
    WebhookDeliveriesService,
    RelayEventsService,
    DeliverWebhooksService,
    PurgeEventsService,
    EventMetrics,
    WebhookEndpointEventsPresenter,
    { provide: EVENT_OUTBOX, useClass: SqlEventOutbox },
    { provide: EVENT_REPOSITORY, useClass: SqlEventRepository },
    { provide: WEBHOOK_ENDPOINT_REPOSITORY, useClass: SqlWebhookEndpointRepository },
    { provide: DELIVERY_REPOSITORY, useClass: SqlDeliveryRepository },
    { provide: SECRET_BOX, useClass: AesSecretBox },
    { provide: HOST_RESOLVER, useClass: SystemHostResolver },
    { provide: WEBHOOK_URL_GUARD, useClass: ResolvingWebhookUrlGuard },
    { provide: WEBHOOK_SENDER, useClass: UndiciWebhookSender },
    { provide: DELIVERY_JOBS, useClass: WebhookDeliveryQueue },
    ...workerProviders<Provider>(
      WebhookDeliveryProcessor,
      EventRelaySweeper,
      WebhookDeliverySweeper,
      EventRetentionSweeper,
    ),
  ],
  exports: [EventRecorder],
})
export class EventModule {}
