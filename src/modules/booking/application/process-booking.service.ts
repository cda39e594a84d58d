import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { MetricsRegistry } from '../../../shared/observability/metrics';
import type { TravelBookingHandler } from '../../provider/application/travel-booking.handler';
import { TravelHandlers } from '../../provider/application/travel-handlers.service';
import {
  BookingRefusedError,
  OfferUnavailableError,
  OutcomeUnknownError,
  ProviderUnavailableError,
} from '../../provider/domain/provider.errors';
import type { BookingRequest, ProviderBooking } from '../../provider/domain/travel-provider';
import { WalletLedgerFacade } from '../../wallet/application/wallet-ledger.facade';
import { serviceKey } from '../../wallet/domain/wallet';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import { BOOKING_REPOSITORY } from '../booking.tokens';
import {
  type Booking,
  confirmBooking,
  differenceRefundKey,
  failBooking,
  parkBooking,
  PRICE_CHANGED,
} from '../domain/booking';
import type { BookingRepository } from '../domain/booking.repository';
import { refundOnce } from './refund-once';
import { EventRecorder } from '../../event/application/event-recorder';
import { recordBookingChange } from './booking-events';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

export type AttemptOutcome =
  { outcome: 'confirmed' | 'settled' | 'action_required' } | { outcome: 'failed'; reason: string };

/**
 * One attempt at the provider call of a pending booking (run by the queue job). It books the priced
 * offer the debit paid for. Success confirms it at the booked total: a lower total refunds the
 * difference, a higher one is cancelled at the provider and fails as `price_changed` (refunded). A
 * refusal, or the last attempt failing when nothing can have been booked, fails it and refunds the
 * debit in the same transaction. When something may have been booked and the provider cannot say,
 * the booking is parked as `action_required`: never refunded blind, never booked again.
 * A transient failure before the last attempt is thrown so that the job retries with backoff.
 */
@Injectable()
export class ProcessBookingService {
  private readonly logger = new Logger(ProcessBookingService.name);
  private readonly outcomes: Counter<string>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: WalletLedgerFacade,
    private readonly handlers: TravelHandlers,
    @Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository<EntityManager>,
    metrics: MetricsRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: EventRecorder,
  ) {
    this.outcomes = metrics.counter('booking_attempts_total', 'Provider booking attempts by outcome', [
      'type',
      'outcome',
    ]);
  }

  async attempt(bookingId: string, lastAttempt: boolean): Promise<AttemptOutcome> {
    const booking = await this.bookings.findById(bookingId);
    if (!booking || booking.status !== 'pending') return { outcome: 'settled' };
    const handler = this.handlers.forType(booking.type);

    let request: BookingRequest | undefined;
    let made: ProviderBooking | null;
    try {
      // Bookings made before priced offers were kept are priced again, on each attempt.
      const priced = booking.priced || (await handler.price(booking.offerId)).priced;
      request = { reference: booking.id, priced, travelers: booking.travelers };
      made = await handler.bookOnce(request, booking.outcomeUnknown);
    } catch (error) {
      if (error instanceof OutcomeUnknownError) return this.park(booking, error.message);
      // Not priced again (an older booking): a create that timed out before may have booked it.
      const earlierUnknown = !request && booking.outcomeUnknown;
      if (error instanceof BookingRefusedError || error instanceof OfferUnavailableError) {
        if (earlierUnknown)
          return this.park(booking, `${error.message}; an earlier create may have booked it`);
        this.outcomes.inc({ type: booking.type, outcome: 'refused' });
        return this.failAndRefund(booking, error.message);
      }
      if (!(error instanceof ProviderUnavailableError)) throw error;
      this.outcomes.inc({ type: booking.type, outcome: error.ambiguous ? 'ambiguous' : 'transient' });
      if (error.ambiguous) await this.bookings.markOutcomeUnknown(booking.id);
      if (!lastAttempt) {
        this.logger.warn(`booking ${booking.id}: provider unavailable, will retry: ${error.message}`);
        throw error;
      }
      const reason = `The provider could not be reached: ${error.message}`;
      if (earlierUnknown) return this.park(booking, `${reason}; an earlier create may have booked it`);
      if (!request || (!error.ambiguous && !booking.outcomeUnknown))
        return this.failAndRefund(booking, reason);
      const found = await this.lastLookup(handler, request, booking);
      if (found === undefined || (found === null && error.ambiguous)) {
        // The create that just timed out may yet show up; an earlier one could not be found.
        return this.park(booking, `${reason}; whether it booked is unknown`);
      }
      if (found === null) return this.failAndRefund(booking, reason);
      made = found;
    }
    return this.settle(booking, handler, made);
  }

  /** The booking made under our reference; null when there is none; undefined when nobody can tell. */
  private async lastLookup(
    handler: TravelBookingHandler,
    request: BookingRequest,
    booking: Booking,
  ): Promise<ProviderBooking | null | undefined> {
    try {
      return await handler.findBooking(request.reference, request.priced);
    } catch (error) {
      this.logger.warn(`booking ${booking.id}: last lookup failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** The provider booked: at the debit or below (confirmed), or above (cancelled there, failed). */
  private async settle(booking: Booking, handler: TravelBookingHandler, made: ProviderBooking) {
    const { total } = made;
    if (total.currency !== booking.currency || total.amount > booking.amount) {
      this.outcomes.inc({ type: booking.type, outcome: 'price_changed' });
      const booked = `${total.amount} ${total.currency} instead of ${booking.amount} ${booking.currency}`;
      try {
        await handler.cancel(made);
      } catch (error) {
        return this.park(
          booking,
          `${PRICE_CHANGED}: booked as ${made.providerBookingId} for ${booked}, and not cancelled: ${(error as Error).message}`,
        );
      }
      this.logger.warn(`booking ${booking.id}: booked for ${booked}; cancelled at the provider`);
      return this.failAndRefund(booking, PRICE_CHANGED);
    }
    this.outcomes.inc({ type: booking.type, outcome: 'confirmed' });
    const confirmed = await this.uow.run(
      async (em) => {
        const locked = await this.bookings.lockById(em, booking.id);
        if (!locked || locked.status !== 'pending') return false;
        if (total.amount < locked.amount) {
          await this.ledger.credit(em, {
            walletId: locked.walletId,
            amount: locked.amount - total.amount,
            reference: { type: 'booking', id: locked.id },
            description: `Price difference of ${locked.type} booking`,
            idempotencyKey: serviceKey(differenceRefundKey(locked.id)),
          });
        }
        this.logger.log(`booking ${locked.id} confirmed (${made.confirmationCode})`);
        const confirmed = confirmBooking(
          locked,
          {
            confirmationCode: made.confirmationCode,
            providerBookingId: made.providerBookingId,
            amount: total.amount,
          },
          new Date(this.clock.now()),
        );
        recordBookingChange(this.events, em, confirmed);
        await this.bookings.save(em, confirmed);
        return true;
      },
      { onLockTimeout: () => new WalletBusyError() },
    );
    return { outcome: confirmed ? 'confirmed' : 'settled' } as const;
  }

  /** Parks the booking for a person; `settled` when another worker had settled it meanwhile. */
  private async park(pending: Booking, reason: string): Promise<AttemptOutcome> {
    const parked = await this.uow.run(async (em) => {
      const booking = await this.bookings.lockById(em, pending.id);
      if (!booking || booking.status !== 'pending') return false;
      const parked = parkBooking(booking, reason, new Date(this.clock.now()));
      recordBookingChange(this.events, em, parked);
      await this.bookings.save(em, parked);
      this.logger.error(`booking ${booking.id} needs a person: ${reason}`);
      return true;
    });
    if (!parked) return { outcome: 'settled' };
    this.outcomes.inc({ type: pending.type, outcome: 'action_required' });
    return { outcome: 'action_required' };
  }

  /**
   * Marks the booking failed and credits the debit back, both or neither; `settled` when another
   * worker had settled it meanwhile (nothing failed, nothing refunded here).
   */
  private async failAndRefund(pending: Booking, reason: string): Promise<AttemptOutcome> {
    const failed = await this.uow.run(
      async (em) => {
        const booking = await this.bookings.lockById(em, pending.id);
        if (!booking || booking.status !== 'pending') return false;
        const refund = await refundOnce(this.ledger, em, booking, `Refund of failed ${booking.type} booking`);
        const failed = failBooking(booking, reason, refund, new Date(this.clock.now()));
        recordBookingChange(this.events, em, failed);
        await this.bookings.save(em, failed);
        this.logger.warn(`booking ${booking.id} failed and its debit was refunded: ${reason}`);
        return true;
      },
      { onLockTimeout: () => new WalletBusyError() },
    );
    return failed ? { outcome: 'failed', reason } : { outcome: 'settled' };
  }
}
