import { createHash } from 'crypto';
import {
  BookingNotCancellableError,
  BookingRefusedError,
  OfferUnavailableError,
  OutcomeUnknownError,
  ProviderUnavailableError,
} from '../../../src/modules/provider/domain/provider.errors';
import type {
  BookingRequest,
  Offer,
  OfferSearch,
  PricedOffer,
  ProviderBooking,
  TravelProvider,
} from '../../../src/modules/provider/domain/travel-provider';

interface MemoryPriced {
  offerId: string;
  amount: string;
  currency: string;
}

/** What the next call of `book` does instead of booking, or besides. */
export type ScriptedFailure =
  /** Fails before the provider did anything (a transient error, or a refusal for good). */
  | { before: ProviderUnavailableError | BookingRefusedError }
  /** The provider booked, but the answer never came back: a timeout after the request was sent. */
  | { afterBooking: ProviderUnavailableError };

/**
 * A TravelProvider held in memory, with the sandbox's contract: offers it lists can be re-priced
 * and booked, any other (or a withdrawn one) is OfferUnavailableError, also when booking; a booking
 * is kept under OUR reference, so that booking a reference again returns the booking made before
 * and `findBooking` finds it (null when there is none). The sandbox's failure injection is kept:
 * traveller last name "Decline" is refused for good, "Flaky" fails twice with a transient error per
 * reference, then books. `failNextBook` scripts other outcomes, one per call. `search` lists every
 * offer, whatever the criteria: no use case under test searches. `bookAt` makes the provider book
 * an offer at another total than it priced; `lookups = false` plays a provider that cannot find a
 * booking by our reference (Amadeus); a booking is cancelled once, and `refuseCancel` refuses.
 */
export class InMemoryTravelProvider implements TravelProvider {
  private readonly offers = new Map<string, Offer>();
  private readonly bookings = new Map<string, ProviderBooking>();
  private readonly flakyAttempts = new Map<string, number>();
  private readonly scripted: ScriptedFailure[] = [];
  private readonly bookedTotals = new Map<string, bigint>();
  /** How often `book` was called, whatever came of it. */
  bookCalls = 0;
  cancelCalls = 0;
  lookups = true;
  refuseCancel = false;
  private cancelFailure?: ProviderUnavailableError;
  /** The fields the pricing requires of each traveller, by position. */
  requiredFields: PricedOffer['requiredFields'] = [];

  constructor(
    readonly name: string,
    private readonly currency = 'EUR',
  ) {}

  /** An offer this provider sells, at `amount` minor units. */
  addOffer(id: string, amount: bigint, currency = this.currency): Offer {
    const offer = { id, price: { amount, currency }, details: {} };
    this.offers.set(id, offer);
    return offer;
  }

  /** The offer can no longer be booked (sold out, departed). */
  withdraw(offerId: string): void {
    this.offers.delete(offerId);
  }

  failNextBook(...failures: ScriptedFailure[]): void {
    this.scripted.push(...failures);
  }

  async search(_criteria: OfferSearch): Promise<Offer[]> {
    return [...this.offers.values()].map((offer) => structuredClone(offer));
  }

  /** The provider books `offerId` at `amount` from now on, whatever it priced. */
  bookAt(offerId: string, amount: bigint): void {
    this.bookedTotals.set(offerId, amount);
  }

  async price(offerId: string): Promise<PricedOffer> {
    const offer = this.offers.get(offerId);
    if (!offer) throw new OfferUnavailableError(`${this.name} has no offer ${offerId}`);
    const priced: MemoryPriced = {
      offerId,
      amount: offer.price.amount.toString(),
      currency: offer.price.currency,
    };
    return {
      offer: structuredClone(offer),
      priced: JSON.stringify(priced),
      travelers: { min: 1, max: 9 },
      requiredFields: this.requiredFields,
    };
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    this.bookCalls++;
    const failure = this.scripted.shift();
    if (failure && 'before' in failure) throw failure.before;
    // As the sandbox: the offer is checked first, then the traveller's injected failure.
    const priced = JSON.parse(request.priced) as MemoryPriced;
    await this.price(priced.offerId);
    const { lastName } = request.travelers[0];
    if (lastName === 'Decline')
      throw new BookingRefusedError(`${this.name} declined the booking for ${lastName}`);
    if (lastName === 'Flaky') {
      const attempts = (this.flakyAttempts.get(request.reference) ?? 0) + 1;
      this.flakyAttempts.set(request.reference, attempts);
      if (attempts <= 2)
        throw new ProviderUnavailableError(`${this.name} failed attempt ${attempts} (Flaky)`);
    }
    let booking = this.bookings.get(request.reference);
    if (!booking) {
      booking = {
        reference: request.reference,
        providerBookingId: `mem-${request.reference}`,
        confirmationCode: createHash('sha256')
          .update(request.reference)
          .digest('hex')
          .slice(0, 6)
          .toUpperCase(),
        total: {
          amount: this.bookedTotals.get(priced.offerId) ?? BigInt(priced.amount),
          currency: priced.currency,
        },
      };
      this.bookings.set(request.reference, booking);
    }
    if (failure && 'afterBooking' in failure) throw failure.afterBooking;
    return { ...booking };
  }

  async findBooking(reference: string): Promise<ProviderBooking | null> {
    if (!this.lookups) throw new OutcomeUnknownError(`${this.name} cannot look up ${reference}`);
    const booking = this.bookings.get(reference);
    return booking ? { ...booking } : null;
  }

  /** The next cancel cancels, then fails with `error` (a timeout after the provider acted). */
  failNextCancelAfterCancelling(error: ProviderUnavailableError): void {
    this.cancelFailure = error;
  }

  async cancel(booking: ProviderBooking): Promise<void> {
    this.cancelCalls++;
    const failure = this.cancelFailure;
    this.cancelFailure = undefined;
    if (failure) {
      this.bookings.delete(booking.reference);
      throw failure;
    }
    if (this.refuseCancel || !this.bookings.delete(booking.reference)) {
      throw new BookingNotCancellableError(`${this.name} will not cancel ${booking.providerBookingId}`);
    }
  }

  /** The bookings the provider holds, by our reference. */
  booked(): ProviderBooking[] {
    return [...this.bookings.values()].map((b) => ({ ...b }));
  }
}
