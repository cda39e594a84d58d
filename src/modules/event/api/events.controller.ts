import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Caller } from '../../../shared/domain/caller';
import { Authenticated, CurrentCaller } from '../../../shared/http/auth';
import { CursorCodec, DEFAULT_PAGE_SIZE } from '../../../shared/http/pagination';
import { ApiProblems } from '../../../shared/http/problem-details';
import { UuidParam } from '../../../shared/http/validation';
import { EventsService } from '../application/events.service';
import { EventPage, EventResponse, ListEventsQuery } from './dto/event.response';

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly cursors: CursorCodec,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: "The caller's events, newest first (cursor-paginated)",
    description:
      'Every change a client may react to is recorded as an event in the transaction that makes it: none for a ' +
      'change that rolled back, none missing for one that committed. `data.object` is the resource as its GET ' +
      'showed it right after the change. A customer sees its own events; the admin every account’s, or one ' +
      "account's with `account_id`. Events are kept EVENT_RETENTION_DAYS (30 by default).",
  })
  @ApiOkResponse({ type: EventPage })
  @ApiProblems({
    400: '`validation_failed`: unknown type, bad account_id, limit or cursor, unknown parameter',
  })
  async list(@Query() query: ListEventsQuery, @CurrentCaller() caller: Caller): Promise<EventPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const events = await this.events.list({
      caller,
      type: query.type,
      accountId: query.account_id?.toLowerCase(),
      limit,
      cursor: this.cursors.decode(query.cursor),
    });
    return this.cursors.page(events, limit, EventResponse.of);
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'An event (its account or the admin)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: EventResponse })
  @ApiProblems({
    400: '`validation_failed`: the id is not a UUID',
    404: "`not_found`: unknown, past its retention, or another account's",
  })
  async get(@UuidParam('id') id: string, @CurrentCaller() caller: Caller): Promise<EventResponse> {
    return EventResponse.of(await this.events.get(id, caller));
  }
}
