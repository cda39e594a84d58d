import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { IsSafeText } from '../../../../shared/http/hostile-input';
import { PageMeta, PaginationQuery } from '../../../../shared/http/pagination';
import { SecretField } from '../../../../shared/idempotency/secret-field';
import type { EndpointWithSecret } from '../../application/webhook-endpoints.service';
import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus } from '../../domain/delivery';
import { ALL_EVENTS, EVENT_TYPES } from '../../domain/event';
import { ENDPOINT_STATUSES, type EndpointStatus, type WebhookEndpoint } from '../../domain/webhook-endpoint';
import { isoTime } from '../../../../shared/time/iso-time';

const SUBSCRIBABLE = [ALL_EVENTS, ...EVENT_TYPES];

const URL_DOC = {
  maxLength: 2048,
  example: 'https://example.com/webhooks',
  description:
    'Where events are POSTed: https, to a host whose every address is public (not private, loopback or ' +
    'link-local), else 422 `invalid_webhook_url` (both relaxed by WEBHOOK_ALLOW_PRIVATE=true). Checked again ' +
    'at every delivery on the address connected to; redirects are not followed.',
};

const EVENTS_DOC: ApiPropertyOptions = {
  isArray: true,
  enum: SUBSCRIBABLE,
  minItems: 1,
  maxItems: 64,
  example: ['order.paid', 'order.refunded'],
  description: 'Event types to receive, or `["*"]` for every type',
};

export class CreateWebhookEndpointRequest {
  @ApiProperty(URL_DOC)
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  @IsSafeText()
  url: string;

  @ApiProperty(EVENTS_DOC)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @IsIn(SUBSCRIBABLE, { each: true })
  enabled_events: string[];

  @ApiPropertyOptional({ maxLength: 255, example: 'Order fulfilment' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @IsSafeText()
  description?: string;
}

export class UpdateWebhookEndpointRequest {
  @ApiPropertyOptional(URL_DOC)
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  @IsSafeText()
  url?: string;

  @ApiPropertyOptional(EVENTS_DOC)
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @IsIn(SUBSCRIBABLE, { each: true })
  enabled_events?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, description: 'null clears it' })
  @ValidateIf((_, value) => value !== null)
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @IsSafeText()
  description?: string | null;

  @ApiPropertyOptional({
    enum: ENDPOINT_STATUSES,
    description: '`disabled`: nothing is sent until it is `enabled` again (its pending deliveries wait)',
  })
  @IsOptional()
  @IsIn(ENDPOINT_STATUSES)
  status?: EndpointStatus;
}

export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ maxLength: 2048, example: 'https://example.com/webhooks' }) url: string;
  @ApiProperty({ isArray: true, enum: SUBSCRIBABLE }) enabled_events: string[];
  @ApiProperty({ type: String, nullable: true, maxLength: 255 }) description: string | null;
  @ApiProperty({
    enum: ENDPOINT_STATUSES,
    description: '`disabled` by its owner, or by the service once all its deliveries failed for 5 days',
  })
  status: EndpointStatus;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static of(endpoint: WebhookEndpoint): WebhookEndpointResponse {
    return {
      id: endpoint.id,
      url: endpoint.url,
      enabled_events: endpoint.enabledEvents,
      description: endpoint.description,
      status: endpoint.status,
      created_at: isoTime(endpoint.createdAt),
    };
  }
}

export class WebhookEndpointWithSecretResponse extends WebhookEndpointResponse {
  @SecretField({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The Standard Webhooks signing secret (`whsec_` + base64): verify `webhook-signature` with it. Kept ' +
      'encrypted; shown again never (rotate it for a new one).',
  })
  secret: string | null;

  static withSecret({ endpoint, secret }: EndpointWithSecret): WebhookEndpointWithSecretResponse {
    return { ...WebhookEndpointResponse.of(endpoint), secret };
  }
}

export class WebhookEndpointPage extends PageMeta {
  @ApiProperty({ type: [WebhookEndpointResponse] }) data: WebhookEndpointResponse[];
}

export class DeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The event sent (its `webhook-id`)' }) event_id: string;
  @ApiProperty({ example: 1, description: 'Attempts made so far' }) attempt: number;
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description:
      '`pending`: waiting for its next attempt; `delivered`: a 2xx within 10 s; `failed`: every attempt of ' +
      'the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) failed',
  })
  status: DeliveryStatus;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The receiver's status code at the latest attempt",
  })
  response_status: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'How long the latest attempt took' })
  duration_ms: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the latest attempt failed' })
  error: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set while `pending`' })
  next_attempt_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) delivered_at: string | null;

  static of(delivery: Delivery): DeliveryResponse {
    return {
      id: delivery.id,
      event_id: delivery.eventId,
      attempt: delivery.attempt,
      status: delivery.status,
      response_status: delivery.responseStatus,
      duration_ms: delivery.durationMs,
      error: delivery.error,
      next_attempt_at: delivery.nextAttemptAt ? isoTime(delivery.nextAttemptAt) : null,
      delivered_at: delivery.deliveredAt ? isoTime(delivery.deliveredAt) : null,
    };
  }
}

export class DeliveryPage extends PageMeta {
  @ApiProperty({ type: [DeliveryResponse] }) data: DeliveryResponse[];
}

export class ListDeliveriesQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
