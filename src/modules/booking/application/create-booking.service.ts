import type { IdempotentRequest } from '../../../shared/database/idempotent-request';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { EntityManager } from 'typeorm';
import { afterCommit, UnitOfWork } from '../../../shared/database/unit-of-work';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Caller } from '../../../shared/domain/caller';
import { TravelHandlers } from '../../provider/application/travel-handlers.service';
import { WalletLedgerFacade } from '../../wallet/application/wallet-ledger.facade';
import { WalletBusyError } from '../../wallet/domain/wallet.errors';
import { BOOKING_JOBS, BOOKING_REPOSITORY } from '../booking.tokens';
import { TravelerDetailsRequiredError } from '../../provider/domain/provider.errors';
import {
  missingTravelerDetails,
  type Traveler,
  type TravelType,
} from '../../provider/domain/travel-provider';
import type { Booking } from '../domain/booking';
import type { BookingRepository } from '../domain/booking.repository';
import type { BookingJobs } from './booking-jobs';
import { CLOCK, type Clock } from '../../../shared/domain/clock';

export interface CreateBookingCommand {
  caller: Caller;
  type: TravelType;
  offerId: string;
  walletId: string;
  /** The lead traveller first. */
  travelers: Traveler[];
  idempotencyKey: string;
}

/**
 * Pays for a travel offer from a wallet and queues the provider call. The offer is priced by the
 * provider first, outside any transaction, and the travellers are checked against what that pricing
 * requires (before any debit); then the debit of that price and the pending booking, which keeps the
 * priced offer for the job to book exactly, commit together, and the job is enqueued after that commit.
 */
@Injectable()
export class CreateBookingService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: WalletLedgerFacade,
    private readonly handlers: TravelHandlers,
    @Inject(BOOKING_JOBS) private readonly jobs: BookingJobs,
    @Inject(BOOKING_REPOSITORY) private readonly bookings: BookingRepository<EntityManager>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(
    command: CreateBookingCommand,
    idempotent: IdempotentRequest<Booking> | undefined,
  ): Promise<Booking> {
    const { caller, idempotencyKey } = command;
    const wallet = await this.ledger.findWallet(command.walletId);
    if (!wallet || wallet.accountId !== caller.accountId) throw new NotFoundError('Wallet', command.walletId);

    const handler = this.handlers.forType(command.type);
    const priced = await handler.price(command.offerId);
    const missing = missingTravelerDetails(priced, command.travelers);
    if (missing.length) throw new TravelerDetailsRequiredError(missing);
    const { offer } = priced;

    const id = randomUUID();
    return this.uow.run(
      async (em) => {
        const debit = await this.ledger.debit(em, {
          walletId: command.walletId,
          amount: offer.price.amount,
          reference: { type: 'booking', id },
          description: `${handler.providerName} ${command.type} booking`,
          idempotencyKey: { scope: caller.accountId, key: idempotencyKey },
          expectedAccountId: caller.accountId,
          expectedCurrency: offer.price.currency,
        });
        const now = new Date(this.clock.now());
        const booking: Booking = {
          id,
          accountId: caller.accountId,
          type: command.type,
          provider: handler.providerName,
          offerId: command.offerId,
          walletId: command.walletId,
          status: 'pending',
          amount: offer.price.amount,
          currency: offer.price.currency,
          walletTransactionId: debit.id,
          refundTransactionId: null,
          confirmationCode: null,
          providerBookingId: null,
          failureReason: null,
          travelers: command.travelers,
          priced: priced.priced,
          idempotencyKey,
          outcomeUnknown: false,
          createdAt: now,
          updatedAt: now,
        };
        await this.bookings.insert(em, booking);
        afterCommit(em, () => this.jobs.enqueue(id));
        return booking;
      },
      { idempotent, onLockTimeout: () => new WalletBusyError() },
    );
  }
}
