import type { Order } from './order';

/** Storage of orders; methods that take `tx` run inside the caller's transaction. */
export interface OrderRepository<Tx> {
  insert(tx: Tx, order: Order): Promise<void>;
  /** Writes the order's state (status, refunds, payment id, updated_at); the rest never changes. */
  save(tx: Tx, order: Order): Promise<void>;
  findById(id: string, tx?: Tx): Promise<Order | null>;
  findByHoldId(tx: Tx, holdId: string): Promise<Order | null>;
  /** Locks the row until the transaction ends. */
  lockById(tx: Tx, id: string): Promise<Order | null>;
  /** Unpaid orders past their deadline, locked; rows other transactions hold are skipped. */
  lockOverdue(tx: Tx, now: Date, limit: number): Promise<Order[]>;
}
