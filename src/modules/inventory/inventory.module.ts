import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { deadlineProviders } from '../../shared/queue/bull-deadline';
import { ProductsController } from './api/products.controller';
import { HoldsController } from './api/holds.controller';
import { CreateProductService } from './application/create-product.service';
import { ExpireHoldsService } from './application/expire-holds.service';
import { ConsumeHoldService } from './application/consume-hold.service';
import { GetHoldService } from './application/get-hold.service';
import { GetProductService } from './application/get-product.service';
import { HoldReturns } from './application/hold-returns';
import { ListProductsService } from './application/list-products.service';
import { InventoryMetrics } from './application/inventory-metrics';
import { PlaceHoldService } from './application/place-hold.service';
import { ReleaseHoldService } from './application/release-hold.service';
import { StockFacade } from './application/stock.facade';
import { HoldOrmEntity } from './infrastructure/hold.orm-entity';
import { ProductOrmEntity } from './infrastructure/product.orm-entity';
import { RedisProductCache } from './infrastructure/redis-product-cache';
import { RedisSoldOutRegistry } from './infrastructure/redis-sold-out-registry';
import { TypeOrmHoldRepository } from './infrastructure/typeorm-hold.repository';
import { TypeOrmProductRepository } from './infrastructure/typeorm-product.repository';
import {
  HOLD_EXPIRY,
  HOLD_EXPIRY_QUEUE,
  HOLD_EXPIRY_SCHEDULER,
  HOLD_REPOSITORY,
  PRODUCT_CACHE,
  PRODUCT_REPOSITORY,
  SOLD_OUT_REGISTRY,
} from './inventory.tokens';
import { queueWithDashboard } from '../../shared/queue/queue-dashboard.module';
import { EventModule } from '../event/event.module';
import { HoldEventsPresenter } from './api/hold-events.presenter';

@Module({
  imports: [
    TypeOrmModule.forFeature([ProductOrmEntity, HoldOrmEntity]),
    ...queueWithDashboard(HOLD_EXPIRY_QUEUE),
    EventModule,
  ],
  controllers: [ProductsController, HoldsController],
  providers: [
    HoldEventsPresenter,
    CreateProductService,
    GetProductService,
    ListProductsService,
    PlaceHoldService,
    GetHoldService,
    ReleaseHoldService,
    HoldReturns,
    ConsumeHoldService,
    ExpireHoldsService,
    StockFacade,
    InventoryMetrics,
    { provide: PRODUCT_REPOSITORY, useClass: TypeOrmProductRepository },
    { provide: HOLD_REPOSITORY, useClass: TypeOrmHoldRepository },
    { provide: PRODUCT_CACHE, useClass: RedisProductCache },
    { provide: SOLD_OUT_REGISTRY, useClass: RedisSoldOutRegistry },
    ...deadlineProviders(HOLD_EXPIRY, HOLD_EXPIRY_SCHEDULER, ExpireHoldsService),
  ],
  exports: [StockFacade, ConsumeHoldService],
})
export class InventoryModule {}
