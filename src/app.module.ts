import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ConfigModule } from './config/config.module';
import { AccountModule } from './modules/account/account.module';
import { BookingModule } from './modules/booking/booking.module';
import { EventModule } from './modules/event/event.module';
import { InventoryModule } from './modules/inventory/inventory.module';
import { OrderModule } from './modules/order/order.module';
import { PaymentModule } from './modules/payment/payment.module';
import { ProviderModule } from './modules/provider/provider.module';
import { WalletModule } from './modules/wallet/wallet.module';
import { DatabaseModule } from './shared/database/database.module';
import { ApiKeyGuard } from './shared/http/auth';
import { IdempotencyModule } from './shared/idempotency/idempotency.module';
import { PaginationModule } from './shared/http/pagination.module';
import { ProblemDetailsFilter } from './shared/http/problem-details.filter';
import { RequestShapeGuard } from './shared/http/request-shape.guard';
import { LoggingModule } from './shared/observability/logging.module';
import { HealthModule } from './shared/operations/health';
import { MetricsModule } from './shared/operations/metrics.module';
import { QueueDashboardModule } from './shared/queue/queue-dashboard.module';
import { QueueModule } from './shared/queue/queue.module';
import { RedisModule } from './shared/redis/redis.module';
import { ClockModule } from './shared/time/clock.module';

@Module({
  imports: [
    ConfigModule,
    ClockModule,
    LoggingModule,
    DatabaseModule,
    RedisModule,
    QueueModule,
    QueueDashboardModule,
    MetricsModule,
    HealthModule,
    PaginationModule,
    IdempotencyModule,
    AccountModule,
    InventoryModule,
    OrderModule,
    PaymentModule,
    ProviderModule,
    WalletModule,
    BookingModule,
    EventModule,
  ],
  providers: [
    // Guards run in this order: who is calling, then whether the request has a shape the route takes.
    // How often is counted before routing, by the rate limit middleware (see app.setup.ts).
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: RequestShapeGuard },
    // No interceptor at all: `@Idempotent()` wraps its handlers in IdempotentCalls, the
    // HTTP adapter sets `Location` (see createHttpAdapter), and the request timeout is a timer from
    // Fastify hooks (see answerLateRequests).
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {}
