import { Inject, Injectable } from '@nestjs/common';
import { v7 as timeOrderedUuid } from 'uuid';
import type { EntityManager } from 'typeorm';
import { type EventType, type ResourceType, resourceTypeOf } from '../domain/event';
import { EVENT_OUTBOX } from '../event.tokens';
import type { EventOutbox } from './ports';

/** A change to record: `resource` is the changed resource as the use case holds it (a domain value). */
export interface EventDraft<T = unknown> {
  type: EventType;
  /** The account whose resource changed (a transfer: one event per side). */
  accountId: string;
  resourceId: string;
  resource: T;
}

type Presenter = (resource: never) => unknown;

/**
 * The transactional outbox, as other modules' use cases call it: `record(em, drafts)` adds the
 * events to the caller's transaction as a side-write of its next statement, so that a change and its
 * event commit together and recording costs no round trip.
 *
 * An event carries its resource as the resource's GET shows it, and only the API layer of the
 * resource's module knows that shape: it registers its presenter here (`presentWith`) when the
 * application starts, and use cases pass their domain values, never importing a presenter.
 */
@Injectable()
export class EventRecorder {
  private readonly presenters = new Map<ResourceType, Presenter>();

  constructor(@Inject(EVENT_OUTBOX) private readonly outbox: EventOutbox<EntityManager>) {}

  /** How events about `resource` show it: its GET's presenter. One per resource type. */
  presentWith<T>(resource: ResourceType, present: (value: T) => unknown): void {
    const known = this.presenters.get(resource);
    if (known && known !== present) throw new Error(`Events about ${resource} already have a presenter`);
    this.presenters.set(resource, present as Presenter);
  }

  record(em: EntityManager, drafts: readonly EventDraft[]): void {
    if (drafts.length === 0) return;
    this.outbox.append(
      em,
      drafts.map((draft) => {
        const resourceType = resourceTypeOf(draft.type);
        const present = this.presenters.get(resourceType);
        if (!present) throw new Error(`No presenter registered for ${resourceType} events`);
        return {
          id: timeOrderedUuid(),
          type: draft.type,
          accountId: draft.accountId,
          resourceType,
          resourceId: draft.resourceId,
          data: { object: present(draft.resource as never) },
        };
      }),
    );
  }
}
