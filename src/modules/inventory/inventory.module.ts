import { BullAdapter } from '@bull-board/api/bullAdapter';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bull';
import { Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { workerProviders } from '../../shared/queue/role';
import { ProductsController } from './api/products.controller';
import { HoldsController } from './api/holds.controller';
import { CreateProductService } from './application/create-product.service';
import { ExpireHoldsService } from './application/expire-holds.service';
import { GetProductsService } from './application/get-products.service';
import { InventoryMetrics } from './application/inventory-metrics';
import { ManageHoldService } from './application/manage-hold.service';
import { PlaceHoldService } from './application/place-hold.service';
import { StockService } from './application/stock.service';
import { HoldExpiryProcessor, HoldExpirySweeper } from './infrastructure/hold-expiry.processor';
import { HoldOrmEntity } from './infrastructure/hold.orm-entity';
import { ProductCache } from './infrastructure/product-cache';
import { ProductOrmEntity } from './infrastructure/product.orm-entity';
import { SoldOutRegistry } from './infrastructure/sold-out-registry';
import { TypeOrmHoldRepository } from './infrastructure/typeorm-hold.repository';
import { TypeOrmProductRepository } from './infrastructure/typeorm-product.repository';
import { HOLD_EXPIRY_QUEUE } from './inventory.tokens';

@Module({
  imports: [
    TypeOrmModule.forFeature([ProductOrmEntity, HoldOrmEntity]),
    BullModule.registerQueue({ name: HOLD_EXPIRY_QUEUE }),
    BullBoardModule.forFeature({ name: HOLD_EXPIRY_QUEUE, adapter: BullAdapter }),
  ],
  controllers: [ProductsController, HoldsController],
  providers: [
    CreateProductService,
    GetProductsService,
    PlaceHoldService,
    ManageHoldService,
    ExpireHoldsService,
    StockService,
    InventoryMetrics,
    ProductCache,
    SoldOutRegistry,
    TypeOrmProductRepository,
    TypeOrmHoldRepository,
    ...workerProviders<Provider>(HoldExpiryProcessor, HoldExpirySweeper),
  ],
  exports: [StockService, ManageHoldService],
})
export class InventoryModule {}
