import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { OrderLifecycleService } from '../../order/application/order-lifecycle.service';
import type { Order } from '../../order/domain/order';
import { OrderNotRefundableError } from '../../order/domain/order.errors';
import { WalletLedgerService } from '../../wallet/application/wallet-ledger.service';
import { serviceKey } from '../../wallet/domain/wallet';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import { refundKey } from '../domain/payment';
import { TypeOrmPaymentRepository } from '../infrastructure/typeorm-payment.repository';
import { PaymentMetrics } from './payment-metrics';

/**
 * A paid order becomes refunded and its units return to available. A wallet payment is credited
 * back to the same wallet (a credit referencing the order) exactly once: only a paid order can be
 * refunded, under its row lock, and the ledger takes one refund per (wallet, order). An external
 * payment is marked refunded here; returning that money is the provider's part.
 */
@Injectable()
export class RefundOrderService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly orders: OrderLifecycleService,
    private readonly ledger: WalletLedgerService,
    private readonly payments: TypeOrmPaymentRepository,
    private readonly metrics: PaymentMetrics,
    private readonly config: AppConfig,
  ) {}

  async execute(orderId: string): Promise<Order> {
    let method = 'external';
    const refunded = await this.uow.run(
      async (em) => {
        const order = await this.orders.lockOrder(em, orderId);
        if (order.status !== 'paid') throw new OrderNotRefundableError(order.id, order.status);
        const payment = await this.payments.lockByOrderId(em, order.id);
        if (payment) {
          method = payment.method;
          let refundTransactionId: string | null = null;
          if (payment.method === 'wallet' && payment.walletId) {
            const credit = await this.ledger.credit(em, {
              walletId: payment.walletId,
              amount: payment.amount,
              reference: { type: 'order', id: order.id },
              description: `Refund of order ${order.id}`,
              idempotencyKey: serviceKey(refundKey(order.id)),
            });
            refundTransactionId = credit.id;
          }
          await this.payments.save(em, {
            ...payment,
            status: 'refunded',
            refundTransactionId,
            updatedAt: new Date(),
          });
        }
        return this.orders.markRefunded(em, order.id);
      },
      { lockTimeoutMs: this.config.LOCK_TIMEOUT_MS, onLockTimeout: () => new WalletBusyError() },
    );
    this.metrics.refunds.inc({ method });
    return refunded;
  }
}
