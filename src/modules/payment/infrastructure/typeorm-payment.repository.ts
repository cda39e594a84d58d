import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { newestFirst } from '../../../shared/database/newest-first';
import type { Cursor } from '../../../shared/domain/cursor';
import type { PaymentStatus } from '../domain/payment-status';
import type { Payment, Refund } from '../domain/payment';
import type { PaymentEvent } from '../domain/payment-event';
import type {
  EventOutcome,
  InboxEvent,
  PaymentRepository,
  RefundedPayment,
  StoredWebhookAnswer,
} from '../domain/payment.repository';
import { PaymentOrmEntity } from './payment.orm-entity';

@Injectable()
export class TypeOrmPaymentRepository implements PaymentRepository<EntityManager> {
  async insert(em: EntityManager, payment: Payment): Promise<void> {
    await em.getRepository(PaymentOrmEntity).insert({ ...payment });
  }

  // An UPDATE of the changed columns: TypeORM's save() would read the locked row again first.
  async recordRefunded(em: EntityManager, paymentId: string, change: RefundedPayment): Promise<void> {
    await em.getRepository(PaymentOrmEntity).update({ id: paymentId }, change);
  }

  async insertRefund(em: EntityManager, refund: Refund): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO refunds
         (id, order_id, payment_id, amount, reason, wallet_transaction_id, external_reference, request_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT ON CONSTRAINT refunds_order_request_key_unique DO NOTHING
       RETURNING 1`,
      [
        refund.id,
        refund.orderId,
        refund.paymentId,
        refund.amount.toString(),
        refund.reason,
        refund.walletTransactionId,
        refund.externalReference,
        refund.requestKey,
        refund.createdAt,
      ],
    );
    return rows.length === 1;
  }

  findById(em: EntityManager, id: string): Promise<Payment | null> {
    return em.getRepository(PaymentOrmEntity).findOne({ where: { id } });
  }

  lockById(em: EntityManager, id: string): Promise<Payment | null> {
    return em.getRepository(PaymentOrmEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async listPage(
    em: EntityManager,
    limit: number,
    status?: PaymentStatus,
    after?: Cursor,
  ): Promise<Payment[]> {
    const qb = em.getRepository(PaymentOrmEntity).createQueryBuilder('p');
    if (status) qb.where('p.status = :status', { status });
    return newestFirst(qb, limit + 1, after, "date_trunc('milliseconds', p.created_at)").getMany();
  }

  lockByExternalPaymentId(
    em: EntityManager,
    orderId: string,
    externalPaymentId: string,
  ): Promise<Payment | null> {
    return em
      .getRepository(PaymentOrmEntity)
      .findOne({ where: { orderId, externalPaymentId }, lock: { mode: 'pessimistic_write' } });
  }

  async lockTargets(em: EntityManager, ...ids: Array<string | null>): Promise<void> {
    const keys = [...new Set(ids.filter((id): id is string => !!id))].sort();
    for (const key of keys) {
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`payment-target:${key}`]);
    }
  }

  async claimEvent(em: EntityManager, event: InboxEvent, payload: unknown): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO payment_webhook_events
         (id, type, payment_id, order_id, hold_id, amount, currency, payload, status, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 202, '{}'::jsonb)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        event.id,
        event.type,
        event.paymentId,
        event.orderId,
        event.holdId,
        event.amount.toString(),
        event.currency,
        JSON.stringify(payload),
      ],
    );
    return rows.length === 1;
  }

  async storedAnswer(em: EntityManager, eventId: string): Promise<StoredWebhookAnswer> {
    const [row] = await em.query(
      `SELECT response_status, response_body FROM payment_webhook_events WHERE id = $1`,
      [eventId],
    );
    return { status: Number(row.response_status), body: row.response_body };
  }

  async recordOutcome(
    em: EntityManager,
    eventId: string,
    outcome: EventOutcome,
    answer?: StoredWebhookAnswer,
  ): Promise<void> {
    await em.query(
      `UPDATE payment_webhook_events
          SET status = $2::varchar, reason = $3::varchar, applied_order_id = $4::uuid,
              applied_at = CASE WHEN $2::varchar = 'pending' THEN NULL ELSE now() END,
              response_status = COALESCE($5::smallint, response_status),
              response_body = COALESCE($6::jsonb, response_body)
        WHERE id = $1`,
      [
        eventId,
        outcome.status,
        outcome.reason,
        outcome.orderId,
        answer?.status ?? null,
        answer ? JSON.stringify(answer.body) : null,
      ],
    );
  }

  async lockPendingFor(em: EntityManager, orderId: string, holdId: string): Promise<InboxEvent[]> {
    const rows: Array<Record<string, unknown>> = await em.query(
      `SELECT id, type, payment_id, order_id, hold_id, amount, currency
         FROM payment_webhook_events
        WHERE status = 'pending' AND (order_id = $1 OR hold_id = $2)
        ORDER BY received_at, id
        FOR UPDATE`,
      [orderId, holdId],
    );
    return rows.map((row) => ({
      id: String(row.id),
      type: row.type as PaymentEvent['type'],
      paymentId: String(row.payment_id),
      orderId: (row.order_id as string | null) ?? null,
      holdId: (row.hold_id as string | null) ?? null,
      amount: BigInt(String(row.amount)),
      currency: String(row.currency).trim(),
    }));
  }
}
