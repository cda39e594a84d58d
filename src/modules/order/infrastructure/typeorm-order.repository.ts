import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Order } from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
import type { OrderView, OrderViews, PaymentSummary } from '../application/order-view';
import { OrderOrmEntity } from './order.orm-entity';
import { MappedRows } from '../../../shared/database/mapped-rows';

const toOrder = (row: OrderOrmEntity): Order => ({
  id: row.id,
  accountId: row.accountId,
  holdId: row.holdId,
  productId: row.productId,
  quantity: row.quantity,
  unitPrice: row.unitPrice,
  amount: row.amount,
  currency: row.currency,
  status: row.status,
  refundedAmount: row.refundedAmount,
  paymentDueAt: row.paymentDueAt,
  paymentId: row.paymentId,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const toRow = (order: Order): OrderOrmEntity => ({
  id: order.id,
  accountId: order.accountId,
  holdId: order.holdId,
  productId: order.productId,
  quantity: order.quantity,
  unitPrice: order.unitPrice,
  amount: order.amount,
  currency: order.currency,
  status: order.status,
  refundedAmount: order.refundedAmount,
  paymentDueAt: order.paymentDueAt,
  paymentId: order.paymentId,
  createdAt: order.createdAt,
  updatedAt: order.updatedAt,
});

interface PaymentColumns {
  payment_method: string;
  payment_status: string;
  payment_wallet_transaction_id: string | null;
  payment_amount: string;
}

const toPaymentSummary = (id: string, row: PaymentColumns): PaymentSummary => ({
  id,
  method: row.payment_method,
  status: row.payment_status,
  walletTransactionId: row.payment_wallet_transaction_id,
  amount: BigInt(row.payment_amount),
});

const MOVING_COLUMNS = [
  'status',
  'refundedAmount',
  'paymentId',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof OrderOrmEntity>;

@Injectable()
export class TypeOrmOrderRepository implements OrderRepository<EntityManager>, OrderViews<EntityManager> {
  private readonly rows = new MappedRows(OrderOrmEntity, toOrder);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, order: Order): Promise<void> {
    await em.insert(OrderOrmEntity, toRow(order));
  }

  /** Writes only the columns an order's moves change; the rest are fixed when it is made. */
  async save(em: EntityManager, order: Order): Promise<void> {
    const row = toRow(order);
    const changed = Object.fromEntries(MOVING_COLUMNS.map((column) => [column, row[column]]));
    await em.update(OrderOrmEntity, { id: row.id }, changed);
  }

  findById(id: string, em: EntityManager = this.dataSource.manager): Promise<Order | null> {
    return this.rows.findOne(em, { id });
  }

  /** One statement: the order joined to the payment row it names, which the payment module writes. */
  async findView(id: string, em: EntityManager = this.dataSource.manager): Promise<OrderView | null> {
    const { entities, raw } = await em
      .createQueryBuilder(OrderOrmEntity, 'o')
      .leftJoin('payments', 'p', 'p.id = o.payment_id')
      .addSelect('p.method', 'payment_method')
      .addSelect('p.status', 'payment_status')
      .addSelect('p.wallet_transaction_id', 'payment_wallet_transaction_id')
      .addSelect('p.amount', 'payment_amount')
      .where('o.id = :id', { id })
      .getRawAndEntities<PaymentColumns>();
    if (entities.length === 0) return null;
    const order = toOrder(entities[0]);
    return { ...order, payment: order.paymentId ? toPaymentSummary(order.paymentId, raw[0]) : null };
  }

  findByHoldId(em: EntityManager, holdId: string): Promise<Order | null> {
    return this.rows.findOne(em, { holdId });
  }

  lockById(em: EntityManager, id: string): Promise<Order | null> {
    return this.rows.lockOne(em, { id });
  }

  lockOverdue(em: EntityManager, now: Date, limit: number): Promise<Order[]> {
    return this.rows.lockDue(em, { status: 'pending_payment' }, 'paymentDueAt', now, limit);
  }
}
