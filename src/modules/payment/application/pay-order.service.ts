import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { randomUUID } from 'crypto';
import type { Caller } from '../../../shared/domain/caller';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { OrderLifecycleService } from '../../order/application/order-lifecycle.service';
import type { Order } from '../../order/domain/order';
import { WalletLedgerService } from '../../wallet/application/wallet-ledger.service';
import { serviceKey } from '../../wallet/domain/wallet';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import { chargeKey, type Payment } from '../domain/payment';
import type { PaymentRepository } from '../domain/payment.repository';
import { PAYMENT_REPOSITORY } from '../payment.tokens';
import { PaymentMetrics } from './payment-metrics';

export interface PayOrderCommand {
  orderId: string;
  walletId: string;
  caller: Caller;
}

/**
 * The wallet debit, the payment record and the order's move to paid (units reserved -> sold)
 * commit together. Rows are locked order first, then wallet, then product, as everywhere else.
 * Never two charges: the order lock serialises payers, only a pending order can be paid, the ledger
 * takes one debit per (wallet, order), and payments are unique per order.
 */
@Injectable()
export class PayOrderService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly orders: OrderLifecycleService,
    private readonly ledger: WalletLedgerService,
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository<EntityManager>,
    private readonly metrics: PaymentMetrics,
  ) {}

  async execute(command: PayOrderCommand): Promise<Order> {
    const paid = await this.uow.run(
      async (em) => {
        const order = await this.orders.lockForPayment(em, command.caller, command.orderId);

        // The ledger locks the wallet and refuses one of another account (not_found) or currency.
        const debit = await this.ledger.debit(em, {
          walletId: command.walletId,
          amount: order.amount,
          reference: { type: 'order', id: order.id },
          description: `Payment for order ${order.id}`,
          idempotencyKey: serviceKey(chargeKey(order.id)),
          expectedAccountId: order.accountId,
          expectedCurrency: order.currency,
        });
        const now = new Date();
        const payment: Payment = {
          id: randomUUID(),
          orderId: order.id,
          method: 'wallet',
          status: 'succeeded',
          amount: order.amount,
          currency: order.currency,
          walletId: command.walletId,
          walletTransactionId: debit.id,
          refundTransactionId: null,
          externalPaymentId: null,
          createdAt: now,
          updatedAt: now,
        };
        await this.payments.insert(em, payment);
        return this.orders.markPaid(em, order, {
          id: payment.id,
          method: 'wallet',
          status: 'succeeded',
          walletTransactionId: debit.id,
          amount: order.amount,
        });
      },
      { onLockTimeout: () => new WalletBusyError() },
    );
    this.metrics.payments.inc({ method: 'wallet' });
    return paid;
  }
}
