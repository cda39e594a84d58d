import { Inject } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { OrderLifecycleService } from '../../order/application/order-lifecycle.service';
import { WalletLedgerService } from '../../wallet/application/wallet-ledger.service';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import type { PaymentRepository } from '../domain/payment.repository';
import { PAYMENT_REPOSITORY } from '../payment.tokens';
import { PaymentMetrics } from './payment-metrics';

/**
 * What the use cases that move an order's money (pay, refund, settle) share: the order's lifecycle,
 * the wallet ledger, the payments and their metrics, the clock, and one transaction in which the order's, the
 * payment's and the wallet's rows are locked, where a lock wait that runs out is `wallet_busy`.
 */
export abstract class OrderMoneyUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    protected readonly orders: OrderLifecycleService,
    protected readonly ledger: WalletLedgerService,
    @Inject(PAYMENT_REPOSITORY) protected readonly payments: PaymentRepository<EntityManager>,
    protected readonly metrics: PaymentMetrics,
    @Inject(CLOCK) protected readonly clock: Clock,
  ) {}

  protected transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.uow.run(work, { onLockTimeout: () => new WalletBusyError() });
  }
}
