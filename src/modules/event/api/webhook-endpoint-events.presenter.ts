import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventRecorder } from '../application/event-recorder';
import { WebhookEndpointResponse } from './dto/webhook-endpoint.dto';

/** Events about webhook endpoints show them as GET /api/webhook-endpoints/{id} does. */
@Injectable()
export class WebhookEndpointEventsPresenter implements OnModuleInit {
  constructor(private readonly recorder: EventRecorder) {}

  onModuleInit(): void {
    this.recorder.presentWith('webhook_endpoint', WebhookEndpointResponse.of);
  }
}
