import type { LoggerService, Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { AppConfig } from '../../../src/config/app-config';
import { BOOKING_JOBS, BOOKING_REPOSITORY } from '../../../src/modules/booking/booking.tokens';
import {
  HOLD_EXPIRY,
  HOLD_EXPIRY_SCHEDULER,
  HOLD_REPOSITORY,
  PRODUCT_CACHE,
  PRODUCT_REPOSITORY,
  SOLD_OUT_REGISTRY,
} from '../../../src/modules/inventory/inventory.tokens';
import {
  ORDER_EXPIRY,
  ORDER_EXPIRY_SCHEDULER,
  ORDER_REPOSITORY,
  ORDER_VIEWS,
} from '../../../src/modules/order/order.tokens';
import { PAYMENT_REPOSITORY } from '../../../src/modules/payment/payment.tokens';
import { FLIGHT_PROVIDER, HOTEL_PROVIDER } from '../../../src/modules/provider/provider.tokens';
import {
  AUTHORIZATION_EXPIRY,
  AUTHORIZATION_EXPIRY_SCHEDULER,
  TRANSFER_REPOSITORY,
  WALLET_LOCK,
  WALLET_REPOSITORY,
} from '../../../src/modules/wallet/wallet.tokens';
import { UnitOfWork } from '../../../src/shared/database/unit-of-work';
import { CLOCK } from '../../../src/shared/domain/clock';
import { IDEMPOTENCY_KEYS } from '../../../src/shared/database/idempotent-request';
import { MetricsRegistry } from '../../../src/shared/observability/metrics';
import type { TestClock } from '../test-clock';
import { EventRecorder } from '../../../src/modules/event/application/event-recorder';
import { EVENT_OUTBOX } from '../../../src/modules/event/event.tokens';
import { BookingEventsPresenter } from '../../../src/modules/booking/api/booking-events.presenter';
import { HoldEventsPresenter } from '../../../src/modules/inventory/api/hold-events.presenter';
import { OrderEventsPresenter } from '../../../src/modules/order/api/order-events.presenter';
import { PaymentEventsPresenter } from '../../../src/modules/payment/api/payment-events.presenter';
import { AuthorizationEventsPresenter } from '../../../src/modules/wallet/api/authorization-events.presenter';
import { WalletEventsPresenter } from '../../../src/modules/wallet/api/wallet-events.presenter';
import { InMemoryBookingJobs, InMemoryBookingRepository } from './booking';
import { InMemoryEventOutbox } from './events';
import { InMemoryDatabase } from './database';
import { InMemoryDeadlineScheduler } from './deadline-scheduler';
import { InMemoryIdempotencyStore } from './idempotency';
import {
  InMemoryHoldRepository,
  InMemoryProductCache,
  InMemoryProductRepository,
  InMemorySoldOutRegistry,
} from './inventory';
import { InMemoryOrderRepository } from './order';
import { InMemoryPaymentRepository } from './payment';
import { InMemoryTravelProvider } from './travel-provider';
import { InMemoryUnitOfWork } from './unit-of-work';
import { InMemoryTransferRepository, InMemoryWalletLock, InMemoryWalletRepository } from './wallet';

/** Every port of the application, faked in memory over one database. */
export interface InMemoryPorts {
  db: InMemoryDatabase;
  config: AppConfig;
  clock: TestClock;
  uow: InMemoryUnitOfWork;
  idempotency: InMemoryIdempotencyStore;
  products: InMemoryProductRepository;
  holds: InMemoryHoldRepository;
  productCache: InMemoryProductCache;
  soldOut: InMemorySoldOutRegistry;
  holdExpiry: InMemoryDeadlineScheduler;
  orders: InMemoryOrderRepository;
  orderExpiry: InMemoryDeadlineScheduler;
  wallets: InMemoryWalletRepository;
  transfers: InMemoryTransferRepository;
  walletLock: InMemoryWalletLock;
  authorizationExpiry: InMemoryDeadlineScheduler;
  bookings: InMemoryBookingRepository;
  bookingJobs: InMemoryBookingJobs;
  payments: InMemoryPaymentRepository;
  /** Bound to FLIGHT_PROVIDER (named as the adapter it stands in for). */
  amadeus: InMemoryTravelProvider;
  /** Bound to HOTEL_PROVIDER. */
  bookingCom: InMemoryTravelProvider;
  /** The events use cases recorded, as committed. */
  events: InMemoryEventOutbox;
}

export function inMemoryPorts(config: Partial<AppConfig> = {}): InMemoryPorts {
  const db = new InMemoryDatabase();
  const idempotency = new InMemoryIdempotencyStore(db);
  const clock = db.clock;
  return {
    db,
    config: Object.assign(new AppConfig(), config),
    clock,
    uow: new InMemoryUnitOfWork(db, idempotency),
    idempotency,
    products: new InMemoryProductRepository(db),
    holds: new InMemoryHoldRepository(db),
    productCache: new InMemoryProductCache(),
    soldOut: new InMemorySoldOutRegistry(),
    holdExpiry: new InMemoryDeadlineScheduler(HOLD_EXPIRY, () => clock.now()),
    orders: new InMemoryOrderRepository(db),
    orderExpiry: new InMemoryDeadlineScheduler(ORDER_EXPIRY, () => clock.now()),
    wallets: new InMemoryWalletRepository(db),
    transfers: new InMemoryTransferRepository(db),
    walletLock: new InMemoryWalletLock(),
    authorizationExpiry: new InMemoryDeadlineScheduler(AUTHORIZATION_EXPIRY, () => clock.now()),
    bookings: new InMemoryBookingRepository(db),
    bookingJobs: new InMemoryBookingJobs(),
    payments: new InMemoryPaymentRepository(db),
    amadeus: new InMemoryTravelProvider('Amadeus'),
    bookingCom: new InMemoryTravelProvider('Booking.com'),
    events: new InMemoryEventOutbox(),
  };
}

/** The bindings of every port token (and of the kernel classes the use cases take) to the fakes. */
export function inMemoryProviders(ports: InMemoryPorts): Provider[] {
  return [
    { provide: AppConfig, useValue: ports.config },
    { provide: CLOCK, useValue: ports.clock },
    { provide: UnitOfWork, useValue: ports.uow },
    { provide: IDEMPOTENCY_KEYS, useValue: ports.idempotency },
    MetricsRegistry,
    { provide: PRODUCT_REPOSITORY, useValue: ports.products },
    { provide: HOLD_REPOSITORY, useValue: ports.holds },
    { provide: PRODUCT_CACHE, useValue: ports.productCache },
    { provide: SOLD_OUT_REGISTRY, useValue: ports.soldOut },
    { provide: HOLD_EXPIRY_SCHEDULER, useValue: ports.holdExpiry },
    { provide: ORDER_REPOSITORY, useValue: ports.orders },
    { provide: ORDER_VIEWS, useValue: ports.orders },
    { provide: ORDER_EXPIRY_SCHEDULER, useValue: ports.orderExpiry },
    { provide: WALLET_REPOSITORY, useValue: ports.wallets },
    { provide: TRANSFER_REPOSITORY, useValue: ports.transfers },
    { provide: WALLET_LOCK, useValue: ports.walletLock },
    { provide: AUTHORIZATION_EXPIRY_SCHEDULER, useValue: ports.authorizationExpiry },
    { provide: BOOKING_REPOSITORY, useValue: ports.bookings },
    { provide: BOOKING_JOBS, useValue: ports.bookingJobs },
    { provide: PAYMENT_REPOSITORY, useValue: ports.payments },
    { provide: FLIGHT_PROVIDER, useValue: ports.amadeus },
    { provide: HOTEL_PROVIDER, useValue: ports.bookingCom },
    { provide: EVENT_OUTBOX, useValue: ports.events },
    EventRecorder,
    // What events show of each resource: its module's API presenters, as in the application.
    BookingEventsPresenter,
    HoldEventsPresenter,
    OrderEventsPresenter,
    PaymentEventsPresenter,
    AuthorizationEventsPresenter,
    WalletEventsPresenter,
  ];
}

/** What the services log (a booking refunded, a retry) is not what a unit test checks. */
const silent: LoggerService = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A Nest testing module of the given application services (and the ones they use) on the fakes,
 * initialised (so that listeners register in onModuleInit), with the fakes to seed and inspect.
 */
export async function inMemoryModule(
  services: Provider[],
  config: Partial<AppConfig> = {},
): Promise<InMemoryPorts & { module: TestingModule }> {
  const ports = inMemoryPorts(config);
  const module = await Test.createTestingModule({
    providers: [...inMemoryProviders(ports), ...services],
  })
    .setLogger(silent)
    .compile();
  await module.init();
  return { ...ports, module };
}
