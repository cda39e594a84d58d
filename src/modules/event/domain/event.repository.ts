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

/** What one relay turn took out of the outbox. */
export interface TakenEvents {
  /** How many outbox rows it took (at most the limit asked for): a full batch means more may wait. */
  rows: number;
  /** How many events it moved. */
  moved: number;
  /**
   * Those of them that an enabled webhook endpoint may subscribe to: of an account that has one, or
   * all of them when `everyAccount` has one. The rest have no endpoint to go to.
   */
  listened: UndispatchedEvent[];
}

/**
 * Storage of events; `Tx` is the caller's transaction handle. Events are written only through the
 * outbox (`EventRecorder.record`), as a side-write of the statement that makes their change, and
 * read alike whether the relay has dispatched them yet or not.
 */
export interface EventRepository<Tx = unknown> {
  findById(id: string): Promise<DomainEvent | null>;
  /** Newest first, `limit + 1` rows so that the caller can build the page. */
  listPage(filter: EventFilter, limit: number, after?: Cursor): Promise<DomainEvent[]>;
  /**
   * Moves the events of up to `limit` outbox rows (one per statement that recorded events), oldest
   * first, into the events' storage, and returns those that an enabled endpoint may subscribe to,
   * for the caller to fan out in the same transaction (`everyAccount`: the account whose endpoints
   * receive every account's events); taken once any other relay's transaction has ended. One relay
   * at a time, in outbox order, fans a resource's events out in their order: they are recorded
   * under the resource's row lock, so the outbox's order follows their commits, and no event of a
   * resource is dispatched before an earlier one.
   */
  takeUndispatched(tx: Tx, limit: number, everyAccount: string): Promise<TakenEvents>;
  /** Events not yet fanned out to their endpoints. */
  backlog(): Promise<number>;
  /**
   * Deletes events created before `before`, dispatched or not (their deliveries with them), up to
   * `limit` of each kind (outbox rows for the undispatched); returns how many events.
   */
  purgeBefore(before: Date, limit: number): Promise<number>;
}
