import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Order } from '../domain/order';

/** Told of every new order inside the transaction that creates it, after the insert. */
export interface OrderCreatedListener {
  onOrderCreated(em: EntityManager, order: Order): Promise<void>;
}

/**
 * The port through which another module reacts to order creation in the same transaction (the
 * payment module applies webhook events that arrived before the order). Listeners register
 * themselves, typically in `onModuleInit`; a registry rather than a multi-provider token because
 * the listening module imports this one, and this one cannot import it back.
 */
@Injectable()
export class OrderCreationHooks {
  private readonly listeners: OrderCreatedListener[] = [];

  /** Returns the function that takes the listener off again. */
  register(listener: OrderCreatedListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  async notify(em: EntityManager, order: Order): Promise<void> {
    for (const listener of this.listeners) await listener.onOrderCreated(em, order);
  }
}
