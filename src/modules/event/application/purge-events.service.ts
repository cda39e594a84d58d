import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import type { EventRepository } from '../domain/event.repository';
import { EVENT_REPOSITORY } from '../event.tokens';

/** Events (and their deliveries) one purge statement deletes. */
export const PURGE_BATCH = 1000;

/** Retention: events older than EVENT_RETENTION_DAYS are deleted, with their delivery log. */
@Injectable()
export class PurgeEventsService {
  constructor(
    @Inject(EVENT_REPOSITORY) private readonly events: EventRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  purge(): Promise<number> {
    const before = new Date(this.clock.now() - this.config.EVENT_RETENTION_DAYS * 86400_000);
    return this.events.purgeBefore(before, PURGE_BATCH);
  }
}
