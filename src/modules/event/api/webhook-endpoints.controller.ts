import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { type Caller } from '../../../shared/domain/caller';
import { Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { CursorCodec, DEFAULT_PAGE_SIZE, PaginationQuery } from '../../../shared/http/pagination';
import { Creates } from '../../../shared/http/location';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Idempotent, IdempotentRequestOf } from '../../../shared/idempotency/idempotent.decorator';
import type { Delivery } from '../domain/delivery';
import { WebhookDeliveriesService } from '../application/webhook-deliveries.service';
import { type EndpointWithSecret, WebhookEndpointsService } from '../application/webhook-endpoints.service';
import {
  CreateWebhookEndpointRequest,
  DeliveryPage,
  DeliveryResponse,
  ListDeliveriesQuery,
  UpdateWebhookEndpointRequest,
  WebhookEndpointPage,
  WebhookEndpointResponse,
  WebhookEndpointWithSecretResponse,
} from './dto/webhook-endpoint.dto';

const NOT_FOUND = "`not_found`: unknown endpoint, or another account's";

@ApiTags('webhooks')
@Controller('api/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveriesService,
    private readonly cursors: CursorCodec,
  ) {}

  @Post()
  @Creates('/api/webhook-endpoints', WebhookEndpointWithSecretResponse)
  @Authenticated()
  @Idempotent({ required: false })
  @ApiOperation({
    summary: 'Register a webhook endpoint',
    description:
      "A customer's endpoint receives that account's events; the admin's receives every account's. Each event " +
      'whose type it subscribes to is POSTed to it, signed per Standard Webhooks (`webhook-id` = the event id, ' +
      '`webhook-timestamp`, `webhook-signature`: `v1,` HMAC-SHA256 signatures, two of them for 24 h after a ' +
      'rotation), the body being the event as GET /api/events/{id} shows it. At least once, in order per ' +
      'resource (an order’s `order.paid` never before its `order.created`). A 2xx within 10 s is delivered; ' +
      'anything else (redirects included) is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then ' +
      'the delivery is `failed`; an endpoint whose deliveries all failed for 5 days is disabled ' +
      '(`webhook_endpoint.disabled`). The signing secret is in this answer only, and kept encrypted.',
  })
  @ApiProblems({
    400: '`validation_failed`: unknown event type, too long a URL or description, unknown field',
    422: '`invalid_webhook_url`: not https, or its host resolves to a private, loopback or link-local address',
  })
  async create(
    @Body() body: CreateWebhookEndpointRequest,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(WebhookEndpointWithSecretResponse.withSecret)
    idempotent: IdempotentRequest<EndpointWithSecret> | undefined,
  ): Promise<WebhookEndpointWithSecretResponse> {
    return WebhookEndpointWithSecretResponse.withSecret(
      await this.endpoints.create(
        caller,
        { url: body.url, enabledEvents: body.enabled_events, description: body.description },
        idempotent,
      ),
    );
  }

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: "The caller's webhook endpoints, newest first (admin: every account's; cursor-paginated)",
  })
  @ApiOkResponse({ type: WebhookEndpointPage })
  @ApiProblems({ 400: '`validation_failed`: bad limit or cursor' })
  async list(@Query() query: PaginationQuery, @CurrentCaller() caller: Caller): Promise<WebhookEndpointPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.endpoints.list(caller, limit, this.cursors.decode(query.cursor));
    return this.cursors.page(rows, limit, WebhookEndpointResponse.of);
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'A webhook endpoint (its account or the admin); never its secret' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiProblems({ 400: '`validation_failed`: the id is not a UUID', 404: NOT_FOUND })
  async get(@UuidParam('id') id: string, @CurrentCaller() caller: Caller): Promise<WebhookEndpointResponse> {
    return WebhookEndpointResponse.of(await this.endpoints.get(id, caller));
  }

  @Patch(':id')
  @Authenticated()
  @ApiOperation({
    summary: 'Change a webhook endpoint’s URL, event types, description or status',
    description:
      'A new URL is checked as at registration. `status: "enabled"` turns a disabled endpoint on again (its ' +
      'pending deliveries resume, and its 5 days of failures count afresh).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiProblems({
    400: '`validation_failed`',
    404: NOT_FOUND,
    422: '`invalid_webhook_url`: not https, or its host resolves to a private, loopback or link-local address',
  })
  async update(
    @UuidParam('id') id: string,
    @Body() body: UpdateWebhookEndpointRequest,
    @CurrentCaller() caller: Caller,
  ): Promise<WebhookEndpointResponse> {
    return WebhookEndpointResponse.of(
      await this.endpoints.update(id, caller, {
        url: body.url,
        enabledEvents: body.enabled_events,
        description: body.description,
        status: body.status,
      }),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log; nothing more is sent to it' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems({ 400: '`validation_failed`: the id is not a UUID', 404: NOT_FOUND })
  async delete(@UuidParam('id') id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.endpoints.delete(id, caller);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Authenticated()
  @Idempotent({ required: false })
  @ApiOperation({
    summary: 'Replace the signing secret of a webhook endpoint',
    description:
      'The new secret is in this answer only. For 24 hours deliveries carry two `v1,` signatures, by the new ' +
      'and the previous secret, so that receivers can switch without missing a message.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointWithSecretResponse })
  @ApiProblems({ 400: '`validation_failed`: the id is not a UUID', 404: NOT_FOUND })
  async rotateSecret(
    @UuidParam('id') id: string,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(WebhookEndpointWithSecretResponse.withSecret)
    idempotent: IdempotentRequest<EndpointWithSecret> | undefined,
  ): Promise<WebhookEndpointWithSecretResponse> {
    return WebhookEndpointWithSecretResponse.withSecret(
      await this.endpoints.rotateSecret(id, caller, idempotent),
    );
  }

  @Get(':id/deliveries')
  @Authenticated()
  @ApiOperation({ summary: "A webhook endpoint's deliveries, newest first (cursor-paginated)" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiProblems({ 400: '`validation_failed`: unknown status, bad limit or cursor', 404: NOT_FOUND })
  async listDeliveries(
    @UuidParam('id') id: string,
    @Query() query: ListDeliveriesQuery,
    @CurrentCaller() caller: Caller,
  ): Promise<DeliveryPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.deliveries.list(
      id,
      caller,
      query.status,
      limit,
      this.cursors.decode(query.cursor),
    );
    return this.cursors.page(rows, limit, DeliveryResponse.of);
  }

  @Post(':id/deliveries/:delivery_id/retry')
  @HttpCode(202)
  @Authenticated()
  @Idempotent({ required: false })
  @ApiOperation({
    summary: 'Send a delivery again now',
    description:
      'A pending delivery is attempted at once and keeps its schedule; a delivered or failed one gets one more ' +
      'attempt, `pending` until it is made (with the same `webhook-id`, so a receiver that has it can tell).',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The endpoint id' })
  @ApiParam({ name: 'delivery_id', format: 'uuid' })
  @ApiAcceptedResponse({ type: DeliveryResponse, description: 'The delivery, `pending` for its attempt' })
  @ApiProblems({
    400: '`validation_failed`: an id is not a UUID',
    404: "`not_found`: unknown endpoint or delivery, or another account's",
  })
  async retry(
    @UuidParam('id') id: string,
    @UuidParam('delivery_id') deliveryId: string,
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf(DeliveryResponse.of) idempotent: IdempotentRequest<Delivery> | undefined,
  ): Promise<DeliveryResponse> {
    return DeliveryResponse.of(await this.deliveries.retry(id, deliveryId, caller, idempotent));
  }
}
