import { Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { workerProviders } from '../../shared/queue/role';
import { ProviderModule } from '../provider/provider.module';
import { WalletModule } from '../wallet/wallet.module';
import { AdminBookingsController } from './api/admin-bookings.controller';
import { BookingsController } from './api/bookings.controller';
import { BookingAdminService } from './application/booking-admin.service';
import { CancelBookingService } from './application/cancel-booking.service';
import { CreateBookingService } from './application/create-booking.service';
import { GetBookingService } from './application/get-booking.service';
import { ProcessBookingService } from './application/process-booking.service';
import { ParkBookingService } from './application/park-booking.service';
import { BOOKING_JOBS, BOOKING_QUEUE, BOOKING_REPOSITORY, BOOKING_SWEEP } from './booking.tokens';
import { BookingQueue } from './infrastructure/booking-queue';
import { BookingProcessor } from './infrastructure/booking.processor';
import { BOOKING_SWEEP_DEFAULTS, BookingSweeper } from './infrastructure/booking.sweeper';
import { BookingOrmEntity } from './infrastructure/booking.orm-entity';
import { TypeOrmBookingRepository } from './infrastructure/typeorm-booking.repository';
import { queueWithDashboard } from '../../shared/queue/queue-dashboard.module';
import { EventModule } from '../event/event.module';
import { BookingEventsPresenter } from './api/booking-events.presenter';

/** Travel bookings: pays from Wallet, books through Provider; neither of those knows the other. */
@Module({
  imports: [
    TypeOrmModule.forFeature([BookingOrmEntity]),
    ...queueWithDashboard(BOOKING_QUEUE),
    WalletModule,
    ProviderModule,
    EventModule,
  ],
  controllers: [BookingsController, AdminBookingsController],
  providers: [
    BookingEventsPresenter,
    CreateBookingService,
    GetBookingService,
    CancelBookingService,
    BookingAdminService,
    ProcessBookingService,
    ParkBookingService,
    BookingQueue,
    { provide: BOOKING_JOBS, useExisting: BookingQueue },
    { provide: BOOKING_SWEEP, useValue: BOOKING_SWEEP_DEFAULTS },
    { provide: BOOKING_REPOSITORY, useClass: TypeOrmBookingRepository },
    ...workerProviders<Provider>(BookingProcessor, BookingSweeper),
  ],
})
export class BookingModule {}
