import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { deadlineProviders } from '../../shared/queue/bull-deadline';
import { InventoryModule } from '../inventory/inventory.module';
import { OrdersController } from './api/orders.controller';
import { CancelOrderService } from './application/cancel-order.service';
import { CreateOrderService } from './application/create-order.service';
import { ExpireOrdersService } from './application/expire-orders.service';
import { GetOrderService } from './application/get-order.service';
import { OrderCreationHooks } from './application/order-creation-hooks';
import { OrderLifecycleFacade } from './application/order-lifecycle.facade';
import { OrderMetrics } from './application/order-metrics';
import { OrderOrmEntity } from './infrastructure/order.orm-entity';
import { TypeOrmOrderRepository } from './infrastructure/typeorm-order.repository';
import {
  ORDER_EXPIRY,
  ORDER_EXPIRY_QUEUE,
  ORDER_EXPIRY_SCHEDULER,
  ORDER_REPOSITORY,
  ORDER_VIEWS,
} from './order.tokens';
import { queueWithDashboard } from '../../shared/queue/queue-dashboard.module';
import { EventModule } from '../event/event.module';
import { OrderEventsPresenter } from './api/order-events.presenter';

@Module({
  imports: [
    InventoryModule,
    TypeOrmModule.forFeature([OrderOrmEntity]),
    ...queueWithDashboard(ORDER_EXPIRY_QUEUE),
    EventModule,
  ],
  controllers: [OrdersController],
  providers: [
    OrderEventsPresenter,
    CreateOrderService,
    GetOrderService,
    CancelOrderService,
    ExpireOrdersService,
    OrderLifecycleFacade,
    OrderCreationHooks,
    OrderMetrics,
    TypeOrmOrderRepository,
    { provide: ORDER_REPOSITORY, useExisting: TypeOrmOrderRepository },
    { provide: ORDER_VIEWS, useExisting: TypeOrmOrderRepository },
    ...deadlineProviders(ORDER_EXPIRY, ORDER_EXPIRY_SCHEDULER, ExpireOrdersService),
  ],
  exports: [OrderLifecycleFacade, OrderCreationHooks],
})
export class OrderModule {}
