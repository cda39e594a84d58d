import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrderModule } from '../order/order.module';
import { WalletModule } from '../wallet/wallet.module';
import { AdminPaymentsController } from './api/admin-payments.controller';
import { OrderPaymentsController } from './api/order-payments.controller';
import { PaymentWebhooksController } from './api/payment-webhooks.controller';
import { ReconciliationController } from './api/reconciliation.controller';
import { WebhookSignatureGuard } from './api/webhook-signature.guard';
import { ApplyPendingEventsListener } from './application/apply-pending-events.listener';
import { ListPaymentsService } from './application/list-payments.service';
import { PayOrderService } from './application/pay-order.service';
import { PaymentEventApplier } from './application/payment-event-applier';
import { PaymentMetrics } from './application/payment-metrics';
import { ProcessWebhookService } from './application/process-webhook.service';
import { ReconcileService } from './application/reconcile.service';
import { RefundOrderService } from './application/refund-order.service';
import { ResolvePaymentService } from './application/resolve-payment.service';
import { PaymentOrmEntity } from './infrastructure/payment.orm-entity';
import { SqlReconciliationChecks } from './infrastructure/sql-reconciliation-checks';
import { TypeOrmPaymentRepository } from './infrastructure/typeorm-payment.repository';
import { PAYMENT_REPOSITORY, RECONCILIATION_CHECKS } from './payment.tokens';
import { EventModule } from '../event/event.module';
import { PaymentEventsPresenter } from './api/payment-events.presenter';

@Module({
  imports: [OrderModule, WalletModule, EventModule, TypeOrmModule.forFeature([PaymentOrmEntity])],
  controllers: [
    OrderPaymentsController,
    PaymentWebhooksController,
    AdminPaymentsController,
    ReconciliationController,
  ],
  providers: [
    PaymentEventsPresenter,
    PayOrderService,
    RefundOrderService,
    ResolvePaymentService,
    ListPaymentsService,
    ProcessWebhookService,
    PaymentEventApplier,
    ApplyPendingEventsListener,
    ReconcileService,
    PaymentMetrics,
    { provide: PAYMENT_REPOSITORY, useClass: TypeOrmPaymentRepository },
    { provide: RECONCILIATION_CHECKS, useClass: SqlReconciliationChecks },
    WebhookSignatureGuard,
  ],
})
export class PaymentModule {}
