import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Order } from '../domain/order';
import type { OrderRepository } from '../domain/order.repository';
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
  payment:
    row.paymentId && row.paymentMethod && row.paymentStatus && row.paymentAmount !== null
      ? {
          id: row.paymentId,
          method: row.paymentMethod,
          status: row.paymentStatus,
          walletTransactionId: row.paymentWalletTransactionId,
          amount: row.paymentAmount,
        }
      : null,
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
  paymentId: order.payment?.id ?? null,
  paymentMethod: order.payment?.method ?? null,
  paymentStatus: order.payment?.status ?? null,
  paymentWalletTransactionId: order.payment?.walletTransactionId ?? null,
  paymentAmount: order.payment?.amount ?? null,
  createdAt: order.createdAt,
  updatedAt: order.updatedAt,
});

const MOVING_COLUMNS = [
  'status',
  'refundedAmount',
  'paymentId',
  'paymentMethod',
  'paymentStatus',
  'paymentWalletTransactionId',
  'paymentAmount',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof OrderOrmEntity>;

@Injectable()
export class TypeOrmOrderRepository implements OrderRepository<EntityManager> {
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
