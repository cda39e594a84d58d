import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { domainError, NotFoundError } from '../../../shared/domain/domain-error';
import type { Cursor } from '../../../shared/domain/cursor';
import { WalletLedgerFacade } from '../../wallet/application/wallet-ledger.facade';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import { BOOKING_REPOSITORY } from '../booking.tokens';
import { type Booking, type BookingStatus, confirmBooking, failBooking } from '../domain/booking';
import type { BookingRepository } from '../domain/booking.repository';
import { refundOnce } from './refund-once';
import { EventRecorder } from '../../event/application/event-recorder';
import { recordBookingChange } from './booking-events';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

export class BookingNotResolvableError extends domainError(
  'booking_not_resolvable',
  'Booking not resolvable',
) {}

export type Resolution =
  { failed: true } | { failed?: false; confirmationCode: string; providerReference: string };

/** What an operator does with bookings: list them by status, settle those whose outcome is unknown. */
@Injectable()
export class BookingAdminService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: WalletLedgerFacade,
    @Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository<EntityManager>,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
  ) {}

  list(limit: number, status?: BookingStatus, cursor?: Cursor): Promise<Booking[]> {
    return this.bookings.listPage(limit, status, cursor);
  }

  /**
   * An `action_required` booking, as the operator found it at the provider: booked (confirmed) or
   * not (failed, and refunded once). Anything else is not the operator's to settle.
   */
  resolve(
    id: string,
    resolution: Resolution,
    idempotent: IdempotentRequest<Booking> | undefined,
  ): Promise<Booking> {
    return this.uow.run(
      async (em) => {
        const booking = await this.bookings.lockById(em, id);
        if (!booking) throw new NotFoundError('Booking', id);
        if (booking.status !== 'action_required') {
          throw new BookingNotResolvableError(`Booking ${id} is ${booking.status}, not action_required`);
        }
        const now = new Date(this.clock.now());
        let settled: Booking;
        if (resolution.failed) {
          const refund = await refundOnce(
            this.ledger,
            em,
            booking,
            `Refund of ${booking.type} booking (resolved)`,
          );
          settled = failBooking(booking, 'Not booked at the provider (resolved by an operator)', refund, now);
        } else {
          settled = confirmBooking(
            booking,
            {
              confirmationCode: resolution.confirmationCode,
              providerBookingId: resolution.providerReference,
            },
            now,
          );
        }
        recordBookingChange(this.events, em, settled);
        await this.bookings.save(em, settled);
        return settled;
      },
      { idempotent, onLockTimeout: () => new WalletBusyError() },
    );
  }
}
