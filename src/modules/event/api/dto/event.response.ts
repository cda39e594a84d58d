import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageMeta, PaginationQuery } from '../../../../shared/http/pagination';
import { type DomainEvent, EVENT_TYPES, type EventType } from '../../domain/event';
import { isoTime } from '../../../../shared/time/iso-time';

export class EventDataResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The resource as its GET showed it right after the change (a wallet, an order, a booking, …)',
  })
  object: Record<string, unknown>;
}

export class EventResponse {
  @ApiProperty({ format: 'uuid', description: 'Also the `webhook-id` of its webhook deliveries' }) id: string;
  @ApiProperty({ enum: EVENT_TYPES }) type: EventType;
  @ApiProperty({ format: 'uuid', description: 'The account whose resource changed' }) account_id: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ type: EventDataResponse }) data: EventDataResponse;

  static of(event: DomainEvent): EventResponse {
    return {
      id: event.id,
      type: event.type,
      account_id: event.accountId,
      created_at: isoTime(event.createdAt),
      data: { object: event.object as Record<string, unknown> },
    };
  }
}

export class EventPage extends PageMeta {
  @ApiProperty({ type: [EventResponse] }) data: EventResponse[];
}

export class ListEventsQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: EVENT_TYPES, description: 'Only events of this type' })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  type?: EventType;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "The admin's filter: one account's events. A customer sees only its own, whatever it asks for.",
  })
  @IsOptional()
  @IsUUID('all')
  account_id?: string;
}
