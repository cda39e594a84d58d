import { Inject, Injectable } from '@nestjs/common';
import { type Caller, isAdmin } from '../../../shared/domain/caller';
import type { Cursor } from '../../../shared/domain/cursor';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { DomainEvent, EventType } from '../domain/event';
import type { EventRepository } from '../domain/event.repository';
import { EVENT_REPOSITORY } from '../event.tokens';

export interface ListEvents {
  caller: Caller;
  type?: EventType;
  /** The admin's filter; a customer sees only its own events. */
  accountId?: string;
  limit: number;
  cursor?: Cursor;
}

/** The events API: a customer reads its own events, the admin every account's. */
@Injectable()
export class EventsService {
  constructor(@Inject(EVENT_REPOSITORY) private readonly events: EventRepository) {}

  list({ caller, type, accountId, limit, cursor }: ListEvents): Promise<DomainEvent[]> {
    const owner = isAdmin(caller) ? accountId : caller.accountId;
    return this.events.listPage({ accountId: owner, type }, limit, cursor);
  }

  async get(id: string, caller: Caller): Promise<DomainEvent> {
    const event = await this.events.findById(id);
    if (!event || (!isAdmin(caller) && event.accountId !== caller.accountId))
      throw new NotFoundError('Event', id);
    return event;
  }
}
