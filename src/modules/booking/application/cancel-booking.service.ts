import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { isAdmin, type Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import { TravelHandlers } from '../../provider/application/travel-handlers.service';
import { BookingNotCancellableError, ProviderUnavailableError } from '../../provider/domain/provider.errors';
import { WalletLedgerFacade } from '../../wallet/application/wallet-ledger.facade';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import { BOOKING_REPOSITORY } from '../booking.tokens';
import { type Booking, cancelBooking } from '../domain/booking';
import type { BookingRepository } from '../domain/booking.repository';
import { refundOnce } from './refund-once';
import { EventRecorder } from '../../event/application/event-recorder';
import { recordBookingChange } from './booking-events';
import { ParkBookingService } from './park-booking.service';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

/**
 * Cancels a confirmed booking at its provider, then refunds what it cost and marks it `cancelled` in
 * one transaction. The booking is claimed first, so of two cancels only one reaches the provider;
 * a provider that refuses (or cannot be reached) releases the claim.
 */
@Injectable()
export class CancelBookingService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: WalletLedgerFacade,
    private readonly handlers: TravelHandlers,
    @Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository<EntityManager>,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
    private readonly parker: ParkBookingService,
  ) {}

  async execute(
    id: string,
    caller: Caller,
    idempotent: IdempotentRequest<Booking> | undefined,
  ): Promise<Booking> {
    const booking = await this.bookings.findById(id);
    if (!booking || (!isAdmin(caller) && booking.accountId !== caller.accountId)) {
      throw new NotFoundError('Booking', id);
    }
    const notCancellable = () => new BookingNotCancellableError(`Booking ${id} is ${booking.status}`);
    if (booking.status !== 'confirmed') throw notCancellable();
    if (!(await this.bookings.claimCancel(id, new Date(this.clock.now())))) {
      throw new BookingNotCancellableError(`Booking ${id} is being cancelled or was cancelled`);
    }
    try {
      await this.handlers.forType(booking.type).cancel({
        reference: booking.id,
        providerBookingId: booking.providerBookingId as string,
        confirmationCode: booking.confirmationCode as string,
        total: { amount: booking.amount, currency: booking.currency },
      });
    } catch (error) {
      if (error instanceof ProviderUnavailableError && error.ambiguous) {
        // The provider may have cancelled: neither refunded nor confirmed until a person looks.
        await this.park(booking, `Cancel sent; whether the provider cancelled is unknown: ${error.message}`);
      } else {
        await this.bookings.releaseCancel(id);
      }
      throw error;
    }
    try {
      return await this.uow.run(
        async (em) => {
          const locked = await this.bookings.lockById(em, id);
          if (!locked || locked.status !== 'confirmed') throw notCancellable();
          const refund = await refundOnce(
            this.ledger,
            em,
            locked,
            `Refund of cancelled ${locked.type} booking`,
          );
          const cancelled = cancelBooking(locked, refund, new Date(this.clock.now()));
          recordBookingChange(this.events, em, cancelled);
          await this.bookings.save(em, cancelled);
          return cancelled;
        },
        { idempotent, onLockTimeout: () => new WalletBusyError() },
      );
    } catch (error) {
      // Cancelled at the provider, not refunded: a person settles it (resolved as failed, it is refunded).
      await this.park(booking, `Cancelled at the provider; the refund failed: ${(error as Error).message}`);
      throw error;
    }
  }

  /** In a transaction of its own: the request's are its answer (see parkConfirmed). */
  private async park(booking: Booking, reason: string): Promise<void> {
    const reference = `provider reference ${booking.providerBookingId}`;
    await this.parker.parkConfirmed(booking.id, `${reason} (${reference})`, new Date(this.clock.now()));
  }
}
