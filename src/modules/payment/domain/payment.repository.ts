import type { Cursor } from '../../../shared/domain/cursor';
import type { PaymentStatus } from './payment-status';
import type { Payment, Refund } from './payment';
import type { PaymentEvent } from './payment-event';

/** The answer stored with a webhook delivery, replayed to a repeated webhook-id. */
export interface StoredWebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A delivered payment event as the inbox keeps it. */
export interface InboxEvent extends PaymentEvent {
  id: string;
  orderId: string | null;
  holdId: string | null;
}

export interface EventOutcome {
  status: 'pending' | 'processed' | 'ignored';
  reason: string | null;
  orderId: string | null;
}

export type RefundedPayment = Pick<Payment, 'status' | 'refundTransactionId' | 'updatedAt'>;

/** Payments, refunds and the webhook inbox. Every method works in the caller's transaction `tx`. */
export interface PaymentRepository<Tx> {
  insert(tx: Tx, payment: Payment): Promise<void>;
  /** Writes a refund's or a settlement's change of the payment: only these columns. */
  recordRefunded(tx: Tx, paymentId: string, change: RefundedPayment): Promise<void>;
  /** False when the order already has a refund with this request key: nothing is written then. */
  insertRefund(tx: Tx, refund: Refund): Promise<boolean>;
  findById(tx: Tx, id: string): Promise<Payment | null>;
  lockById(tx: Tx, id: string): Promise<Payment | null>;
  /** Newest first, `limit + 1` rows strictly after `after`, of one status when given. */
  listPage(tx: Tx, limit: number, status?: PaymentStatus, after?: Cursor): Promise<Payment[]>;
  /** The payment recorded on an order under a provider's payment id, if any, locked. */
  lockByExternalPaymentId(tx: Tx, orderId: string, externalPaymentId: string): Promise<Payment | null>;
  /**
   * Serialises everything that concerns one hold or order (a webhook about it, the creation of its
   * order) for the rest of the transaction, so an event can never fall between "no order yet" and
   * "order created, no pending event seen". Keys are taken in sorted order to rule out deadlocks.
   */
  lockTargets(tx: Tx, ...ids: Array<string | null>): Promise<void>;
  /**
   * Records a delivery unless its id is already in the inbox. A concurrent delivery of the same id
   * waits here for the first one's transaction and then sees its row: one effect per id.
   */
  claimEvent(tx: Tx, event: InboxEvent, payload: unknown): Promise<boolean>;
  storedAnswer(tx: Tx, eventId: string): Promise<StoredWebhookAnswer>;
  recordOutcome(tx: Tx, eventId: string, outcome: EventOutcome, answer?: StoredWebhookAnswer): Promise<void>;
  /** Pending events about an order (by its id or its hold's), oldest first, locked. */
  lockPendingFor(tx: Tx, orderId: string, holdId: string): Promise<InboxEvent[]>;
}
