import type { EntityManager } from 'typeorm';
import type { UnitOfWork } from '../../../shared/database/unit-of-work';
import type { EventRepository, TakenEvents } from '../domain/event.repository';
import type { DeliveryRepository } from '../domain/delivery.repository';
import type { WebhookEndpointRepository } from '../domain/webhook-endpoint.repository';
import type { DeliveryJobs } from './ports';
import { RELAY_BATCH, RelayEventsService } from './relay-events.service';

function relayTaking(taken: TakenEvents) {
  const limits: number[] = [];
  const events = {
    takeUndispatched: async (_tx: EntityManager, limit: number) => {
      limits.push(limit);
      return taken;
    },
  } as unknown as EventRepository<EntityManager>;
  const uow = { run: (work: (em: EntityManager) => Promise<unknown>) => work({} as EntityManager) };
  const unused = {} as never;
  const relay = new RelayEventsService(
    uow as unknown as UnitOfWork,
    events,
    unused as WebhookEndpointRepository<EntityManager>,
    unused as DeliveryRepository<EntityManager>,
    unused as DeliveryJobs,
    { now: () => 0 },
  );
  return { relay, limits };
}

describe('RelayEventsService', () => {
  // Its sweeper turns again at once only after a full batch of outbox rows: counted in events (a
  // dozen holds' to a row), a turn of a few rows looked full, and the relay turned again for nothing.
  it('answers how many outbox rows a turn took, not how many events, so that only a full batch is followed at once', async () => {
    const rows = RELAY_BATCH - 1; // not a full batch, though its events are many more than RELAY_BATCH
    const { relay, limits } = relayTaking({ rows, moved: rows * 12, listened: [] });
    expect(await relay.relay()).toBe(rows);
    expect(limits).toEqual([RELAY_BATCH]);
  });
});
