import type { Cursor } from '../../../shared/domain/cursor';
import type { DomainEvent, EventType } from './event';

export interface EventFilter {
  /** Only this account's events; every account's when absent. */
  accountId?: string;
  type?: EventType;
}

/** An event the relay has yet to fan out to the endpoints that subscribe to it. */
export interface UndispatchedEvent {
  id: string;
  type: EventType;
  accountId: string;
}

/**
 * Storage of events; `Tx` is the caller's transaction handle. Events are written only through the
 * outbox (`EventRecorder.record`), as a side-write of the statement that makes their change.
 */
export interface EventRepository<Tx = unknown> {
  findById(id: string): Promise<DomainEvent | null>;
  /** Newest first, `limit + 1` rows so that the caller can build the page. */
  listPage(filter: EventFilter, limit: number, after?: Cursor): Promise<DomainEvent[]>;
  /**
   * Up to `limit` undispatched events, oldest first (`seq` order), locked until `tx` ends; taken
   * once any other relay's transaction has ended. One relay at a time, in `seq` order, fans a
   * resource's events out in their order: they are made under the resource's row lock, so their
   * `seq` follows their commits, and no event of a resource is dispatched before an earlier one.
   */
  lockUndispatched(tx: Tx, limit: number): Promise<UndispatchedEvent[]>;
  markDispatched(tx: Tx, ids: string[]): Promise<void>;
  /** Events not yet fanned out to their endpoints. */
  backlog(): Promise<number>;
  /** Deletes up to `limit` events created before `before` (their deliveries with them); returns how many. */
  purgeBefore(before: Date, limit: number): Promise<number>;
}
