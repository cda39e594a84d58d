import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import type { Order } from '../../../src/modules/order/domain/order';
import type { OrderRepository } from '../../../src/modules/order/domain/order.repository';
import type { OrderView, OrderViews } from '../../../src/modules/order/application/order-view';
import type { Payment } from '../../../src/modules/payment/domain/payment';
import { checkViolation, foreignKeyViolation, type InMemoryDatabase, uniqueViolation } from './database';
import { PAYMENTS } from './payment';

export const ORDERS = 'orders';

/** The CHECK constraints of the orders table. */
function checkOrder(order: Order): void {
  if (order.amount !== order.unitPrice * BigInt(order.quantity)) throw checkViolation('orders_amount_check');
  if (['paid', 'partially_refunded', 'refunded'].includes(order.status) && order.paymentId === null) {
    throw checkViolation('orders_paid_has_payment');
  }
  const refunded = order.refundedAmount;
  if (
    refunded < 0n ||
    refunded > order.amount ||
    (['pending_payment', 'paid'].includes(order.status) && refunded !== 0n) ||
    (order.status === 'partially_refunded' && (refunded < 1n || refunded > order.amount - 1n)) ||
    (order.status === 'refunded' && refunded !== order.amount)
  ) {
    throw checkViolation('orders_refunded_amount_check');
  }
}

/**
 * OrderRepository over the in-memory database. As the TypeORM one: a hold makes at most one order
 * (UNIQUE hold_id, whatever the code above does), the CHECKs on amounts, payments and refunds
 * hold, and the payment an order names exists (its foreign key); `save` writes only what an order's moves change
 * (status, refunded amount, payment id, updated_at), never the amount or the deadline; `lockById` of
 * an unknown id is null; `lockOverdue` gives pending orders whose `payment_due_at` is at or before
 * `now`, oldest deadline first, at most `limit`, passing by rows another session holds.
 */
export class InMemoryOrderRepository implements OrderRepository<EntityManager>, OrderViews<EntityManager> {
  constructor(private readonly db: InMemoryDatabase) {}

  async insert(tx: EntityManager, order: Order): Promise<void> {
    const table = this.db.table<Order>(ORDERS, tx);
    checkOrder(order);
    this.checkPaymentExists(tx, order);
    if (table.find((o) => o.holdId === order.holdId)) throw uniqueViolation('orders_hold_id_unique');
    table.insert(order.id, order);
  }

  async save(tx: EntityManager, order: Order): Promise<void> {
    this.db.table<Order>(ORDERS, tx).update(order.id, (row) => {
      const saved = {
        ...row,
        status: order.status,
        refundedAmount: order.refundedAmount,
        paymentId: order.paymentId,
        updatedAt: order.updatedAt,
      };
      checkOrder(saved);
      this.checkPaymentExists(tx, saved);
      return saved;
    });
  }

  /** The foreign key orders.payment_id -> payments (id): the payment is written before the order names it. */
  private checkPaymentExists(tx: EntityManager, order: Order): void {
    if (order.paymentId !== null && !this.db.table<Payment>(PAYMENTS, tx).get(order.paymentId)) {
      throw foreignKeyViolation('orders_payment_id_fkey');
    }
  }

  async findById(id: string, tx?: EntityManager): Promise<Order | null> {
    return this.db.table<Order>(ORDERS, tx).get(id);
  }

  /** The order with the payment row it names, as the SQL joins the payments table. */
  async findView(id: string, tx?: EntityManager): Promise<OrderView | null> {
    const order = this.db.table<Order>(ORDERS, tx).get(id);
    if (!order) return null;
    const payment = order.paymentId ? this.db.table<Payment>(PAYMENTS, tx).get(order.paymentId) : null;
    return {
      ...order,
      payment: payment && {
        id: payment.id,
        method: payment.method,
        status: payment.status,
        walletTransactionId: payment.walletTransactionId,
        amount: payment.amount,
      },
    };
  }

  async findByHoldId(tx: EntityManager, holdId: string): Promise<Order | null> {
    return this.db.table<Order>(ORDERS, tx).find((o) => o.holdId === holdId);
  }

  async lockById(tx: EntityManager, id: string): Promise<Order | null> {
    this.db.lock(ORDERS, id, tx);
    return this.db.table<Order>(ORDERS, tx).get(id);
  }

  async lockOverdue(tx: EntityManager, now: Date, limit: number): Promise<Order[]> {
    return this.db
      .table<Order>(ORDERS, tx)
      .filter((o) => o.status === 'pending_payment' && o.paymentDueAt.getTime() <= now.getTime())
      .filter((o) => !this.db.isLockedElsewhere(ORDERS, o.id))
      .sort((a, b) => a.paymentDueAt.getTime() - b.paymentDueAt.getTime())
      .slice(0, limit);
  }

  /** The committed orders, for assertions. */
  all(): Order[] {
    return this.db.table<Order>(ORDERS).values();
  }

  committed(id: string): Order | null {
    return this.db.table<Order>(ORDERS).get(id);
  }
}

/**
 * An order as committed, with defaults for what a test does not care about. Its hold and the
 * product's counters are the caller's to seed to match (see seedOrderOf in the fixtures).
 */
export function seedOrder(
  db: InMemoryDatabase,
  order: Partial<Order> & Pick<Order, 'accountId' | 'holdId' | 'productId'>,
): Order {
  const now = new Date(db.clock.now());
  const quantity = order.quantity ?? 2;
  const unitPrice = order.unitPrice ?? 1500n;
  const row: Order = {
    id: randomUUID(),
    quantity,
    unitPrice,
    amount: unitPrice * BigInt(quantity),
    currency: 'USD',
    status: 'pending_payment',
    refundedAmount: 0n,
    paymentDueAt: new Date(now.getTime() + 900_000),
    paymentId: null,
    createdAt: now,
    updatedAt: now,
    ...order,
  };
  checkOrder(row);
  return db.seed(ORDERS, row.id, row);
}
