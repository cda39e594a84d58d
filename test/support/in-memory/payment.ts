import type { EntityManager } from 'typeorm';
import type { PaymentStatus } from '../../../src/modules/payment/domain/payment-status';
import type { Payment, Refund } from '../../../src/modules/payment/domain/payment';
import type {
  EventOutcome,
  InboxEvent,
  PaymentRepository,
  RefundedPayment,
  StoredWebhookAnswer,
} from '../../../src/modules/payment/domain/payment.repository';
import type { Cursor } from '../../../src/shared/domain/cursor';
import { checkViolation, type InMemoryDatabase, newestFirstPage, uniqueViolation } from './database';

export const PAYMENTS = 'payments';
export const REFUNDS = 'refunds';
export const WEBHOOK_EVENTS = 'payment_webhook_events';

export interface InboxRow extends InboxEvent {
  payload: unknown;
  status: EventOutcome['status'];
  reason: string | null;
  appliedOrderId: string | null;
  answer: StoredWebhookAnswer;
  /** Arrival order: received_at, then id, as the SQL orders pending events. */
  receivedAt: Date;
}

/**
 * PaymentRepository over the in-memory database, with the constraints that stand behind the
 * payment rules: at most one payment per order pays it (the partial unique index
 * payments_one_charge_per_order), a provider's payment is recorded on an order once (UNIQUE
 * order_id, external_payment_id), the pays_order/status CHECK, one refund per order and request
 * key (`insertRefund` is false then, writing nothing), one inbox row per webhook-id (`claimEvent`
 * is false for a repeat). A new inbox row is pending with a 202 answer until an outcome is
 * recorded. `lockTargets` (advisory locks in PostgreSQL) has nothing to wait for here, since
 * transactions run one at a time; it still refuses a handle outside its unit of work.
 */
export class InMemoryPaymentRepository implements PaymentRepository<EntityManager> {
  constructor(private readonly db: InMemoryDatabase) {}

  async insert(tx: EntityManager, payment: Payment): Promise<void> {
    const table = this.db.table<Payment>(PAYMENTS, tx);
    this.check(table.values(), payment);
    table.insert(payment.id, payment);
  }

  async recordRefunded(tx: EntityManager, paymentId: string, change: RefundedPayment): Promise<void> {
    const table = this.db.table<Payment>(PAYMENTS, tx);
    const current = table.get(paymentId);
    if (!current) return; // An UPDATE that matches no row changes nothing.
    const payment = { ...current, ...change };
    this.check(
      table.filter((p) => p.id !== paymentId),
      payment,
    );
    table.put(paymentId, payment);
  }

  async insertRefund(tx: EntityManager, refund: Refund): Promise<boolean> {
    const table = this.db.table<Refund>(REFUNDS, tx);
    if (table.find((r) => r.orderId === refund.orderId && r.requestKey === refund.requestKey)) return false;
    if (
      refund.walletTransactionId !== null &&
      table.find((r) => r.walletTransactionId === refund.walletTransactionId)
    ) {
      throw uniqueViolation('refunds_wallet_transaction_id_unique');
    }
    table.insert(refund.id, refund);
    return true;
  }

  async findById(tx: EntityManager, id: string): Promise<Payment | null> {
    return this.db.table<Payment>(PAYMENTS, tx).get(id);
  }

  async lockById(tx: EntityManager, id: string): Promise<Payment | null> {
    this.db.lock(PAYMENTS, id, tx);
    return this.db.table<Payment>(PAYMENTS, tx).get(id);
  }

  async listPage(
    tx: EntityManager,
    limit: number,
    status?: PaymentStatus,
    after?: Cursor,
  ): Promise<Payment[]> {
    const rows = this.db.table<Payment>(PAYMENTS, tx).filter((p) => !status || p.status === status);
    return newestFirstPage(rows, limit + 1, after);
  }

  async lockByExternalPaymentId(
    tx: EntityManager,
    orderId: string,
    externalPaymentId: string,
  ): Promise<Payment | null> {
    const payment = this.db
      .table<Payment>(PAYMENTS, tx)
      .find((p) => p.orderId === orderId && p.externalPaymentId === externalPaymentId);
    if (payment) this.db.lock(PAYMENTS, payment.id, tx);
    return payment;
  }

  async lockTargets(tx: EntityManager, ..._ids: Array<string | null>): Promise<void> {
    this.db.table(PAYMENTS, tx);
  }

  async claimEvent(tx: EntityManager, event: InboxEvent, payload: unknown): Promise<boolean> {
    const table = this.db.table<InboxRow>(WEBHOOK_EVENTS, tx);
    if (table.get(event.id)) return false;
    table.insert(event.id, {
      ...event,
      payload,
      status: 'pending',
      reason: null,
      appliedOrderId: null,
      answer: { status: 202, body: {} },
      receivedAt: new Date(),
    });
    return true;
  }

  async storedAnswer(tx: EntityManager, eventId: string): Promise<StoredWebhookAnswer> {
    const row = this.db.table<InboxRow>(WEBHOOK_EVENTS, tx).get(eventId);
    if (!row) throw new TypeError(`in-memory webhook inbox: no event ${eventId}`);
    return row.answer;
  }

  async recordOutcome(
    tx: EntityManager,
    eventId: string,
    outcome: EventOutcome,
    answer?: StoredWebhookAnswer,
  ): Promise<void> {
    this.db.table<InboxRow>(WEBHOOK_EVENTS, tx).update(eventId, (row) => ({
      ...row,
      status: outcome.status,
      reason: outcome.reason,
      appliedOrderId: outcome.orderId,
      answer: answer ?? row.answer,
    }));
  }

  async lockPendingFor(tx: EntityManager, orderId: string, holdId: string): Promise<InboxEvent[]> {
    return this.db
      .table<InboxRow>(WEBHOOK_EVENTS, tx)
      .filter((e) => e.status === 'pending' && (e.orderId === orderId || e.holdId === holdId))
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((e) => ({
        id: e.id,
        type: e.type,
        paymentId: e.paymentId,
        orderId: e.orderId,
        holdId: e.holdId,
        amount: e.amount,
        currency: e.currency,
      }));
  }

  /** The committed payments of an order. */
  paymentsOf(orderId: string): Payment[] {
    return this.db.table<Payment>(PAYMENTS).filter((p) => p.orderId === orderId);
  }

  refundsOf(orderId: string): Refund[] {
    return this.db.table<Refund>(REFUNDS).filter((r) => r.orderId === orderId);
  }

  inbox(eventId: string): InboxRow | null {
    return this.db.table<InboxRow>(WEBHOOK_EVENTS).get(eventId);
  }

  private check(others: Payment[], payment: Payment): void {
    const owedBack = payment.status === 'refund_required' || payment.status === 'refunded';
    if (payment.paysOrder ? payment.status === 'refund_required' : !owedBack) {
      throw checkViolation('payments_pays_order_status');
    }
    if (payment.paysOrder && others.some((p) => p.orderId === payment.orderId && p.paysOrder)) {
      throw uniqueViolation('payments_one_charge_per_order');
    }
    if (
      payment.externalPaymentId !== null &&
      others.some((p) => p.orderId === payment.orderId && p.externalPaymentId === payment.externalPaymentId)
    ) {
      throw uniqueViolation('payments_order_external_payment_unique');
    }
  }
}
