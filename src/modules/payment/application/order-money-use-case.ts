import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { CLOCK, type Clock } from '../../../shared/domain/clock';
import { OrderLifecycleFacade } from '../../order/application/order-lifecycle.facade';
import { WalletLedgerFacade } from '../../wallet/application/wallet-ledger.facade';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import type { PaymentRepository } from '../domain/payment.repository';
import { PAYMENT_REPOSITORY } from '../payment.tokens';
import { PaymentMetrics } from './payment-metrics';
import { EventRecorder } from '../../event/application/event-recorder';

/**
 * What the use cases that move an order's money (pay, refund, settle) share: the order's lifecycle,
 * the wallet ledger, the payments and their metrics, the clock, and one transaction in which the order's, the
 * payment's and the wallet's rows are locked, where a lock wait that runs out is `wallet_busy`.
 */
export abstract class OrderMoneyUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    protected readonly orders: OrderLifecycleFacade,
    protected readonly ledger: WalletLedgerFacade,
    @Inject(PAYMENT_REPOSITORY) protected readonly payments: PaymentRepository<EntityManager>,
    protected readonly metrics: PaymentMetrics,
    @Inject(CLOCK) protected readonly clock: Clock,
    protected readonly events: EventRecorder,
  ) {}

  /** `idempotent`: the Idempotency-Key request whose effect the transaction makes, if any. */
  protected transaction<T>(
    work: (em: EntityManager) => Promise<T>,
    idempotent?: IdempotentRequest<T>,
  ): Promise<T> {
    return this.uow.run(work, { idempotent, onLockTimeout: () => new WalletBusyError() });
  }
}
