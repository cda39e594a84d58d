import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../../../shared/database/unit-of-work';
import { MetricsRegistry } from '../../../shared/observability/metrics';
import { TravelHandlers } from '../../provider/application/travel-handlers.service';
import {
  BookingRefusedError,
  OfferUnavailableError,
  ProviderUnavailableError,
} from '../../provider/domain/provider.errors';
import type { ProviderBooking } from '../../provider/domain/travel-provider';
import { WalletLedgerService } from '../../wallet/application/wallet-ledger.service';
import { serviceKey } from '../../wallet/domain/wallet';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import { BOOKING_REPOSITORY } from '../booking.tokens';
import { type Booking, confirmBooking, failBooking, refundKey } from '../domain/booking';
import type { BookingRepository } from '../domain/booking.repository';

export type AttemptOutcome = { outcome: 'confirmed' | 'settled' } | { outcome: 'failed'; reason: string };

/**
 * One attempt at the provider call of a pending booking (run by the queue job). Success confirms it.
 * A refusal, or the last attempt failing, fails it and refunds the debit in the same transaction.
 * A transient failure is thrown so that the job retries with backoff.
 */
@Injectable()
export class ProcessBookingService {
  private readonly logger = new Logger(ProcessBookingService.name);
  private readonly outcomes: Counter<string>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: WalletLedgerService,
    private readonly handlers: TravelHandlers,
    @Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository<EntityManager>,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = metrics.counter('booking_attempts_total', 'Provider booking attempts by outcome', [
      'type',
      'outcome',
    ]);
  }

  /**
   * Returns what became of the booking: `failed` (refunded) is a business outcome the queue shows as
   * a failed job; a transient failure before the last attempt is thrown, for the job to retry.
   */
  async attempt(bookingId: string, lastAttempt: boolean): Promise<AttemptOutcome> {
    const booking = await this.bookings.findById(bookingId);
    if (!booking || booking.status !== 'pending') return { outcome: 'settled' };
    const handler = this.handlers.forType(booking.type);
    const request = { reference: booking.id, offerId: booking.offerId, traveler: booking.traveler };

    let made: ProviderBooking | null;
    try {
      made = await handler.bookOnce(request, booking.outcomeUnknown);
    } catch (error) {
      if (error instanceof BookingRefusedError || error instanceof OfferUnavailableError) {
        this.outcomes.inc({ type: booking.type, outcome: 'refused' });
        await this.failAndRefund(booking, error.message);
        return { outcome: 'failed', reason: error.message };
      }
      if (!(error instanceof ProviderUnavailableError)) throw error;
      this.outcomes.inc({ type: booking.type, outcome: error.ambiguous ? 'ambiguous' : 'transient' });
      if (error.ambiguous) await this.bookings.markOutcomeUnknown(booking.id);
      if (!lastAttempt) {
        this.logger.warn(`booking ${booking.id}: provider unavailable, will retry: ${error.message}`);
        throw error;
      }
      // Before giving the money back, one last look: the call that just timed out may have booked.
      made = error.ambiguous ? await handler.findBooking(booking.id).catch(() => null) : null;
      if (!made) {
        const reason = `The provider could not be reached: ${error.message}`;
        await this.failAndRefund(booking, reason);
        return { outcome: 'failed', reason };
      }
    }
    this.outcomes.inc({ type: booking.type, outcome: 'confirmed' });
    await this.confirm(booking.id, made);
    return { outcome: 'confirmed' };
  }

  private async confirm(bookingId: string, made: ProviderBooking): Promise<void> {
    await this.uow.run(async (em) => {
      const booking = await this.bookings.lockById(em, bookingId);
      if (!booking || booking.status !== 'pending') return;
      this.logger.log(`booking ${booking.id} confirmed (${made.confirmationCode})`);
      await this.bookings.save(
        em,
        confirmBooking(
          booking,
          { confirmationCode: made.confirmationCode, providerBookingId: made.providerBookingId },
          new Date(),
        ),
      );
    });
  }

  /** Marks the booking failed and credits the debit back, both or neither. */
  private async failAndRefund(pending: Booking, reason: string): Promise<void> {
    await this.uow.run(
      async (em) => {
        const booking = await this.bookings.lockById(em, pending.id);
        if (!booking || booking.status !== 'pending') return;
        const refund = await this.ledger.credit(em, {
          walletId: booking.walletId,
          amount: booking.amount,
          reference: { type: 'booking', id: booking.id },
          description: `Refund of failed ${booking.type} booking`,
          idempotencyKey: serviceKey(refundKey(booking.id)),
        });
        await this.bookings.save(em, failBooking(booking, reason, refund.id, new Date()));
        this.logger.warn(`booking ${booking.id} failed and its debit was refunded: ${reason}`);
      },
      { onLockTimeout: () => new WalletBusyError() },
    );
  }
}
