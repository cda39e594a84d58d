import { OfferUnavailableError } from '../../domain/provider.errors';
import {
  type BookingRequest,
  type Offer,
  type OfferSearch,
  type PricedOffer,
  type ProviderBooking,
  searchOf,
  type TravelProvider,
  type TravelType,
} from '../../domain/travel-provider';
import { decodeOfferId, encodeOfferId } from '../offer-id';
import { isPastDate, type SandboxBookings } from './sandbox-bookings';

/** A sandbox's priced form: the offer id it priced, and the price. */
interface SandboxPriced {
  offerId: string;
  total: { amount: string; currency: string };
}

/** What one sandbox sells and how it names it; the rest of a sandbox adapter is the same for all. */
export interface SandboxCatalog<C> {
  name: string;
  type: TravelType;
  /** Of the offer ids it issues. */
  prefix: string;
  /** Of the confirmation codes it gives (an Amadeus record locator has 6 characters). */
  codeLength: number;
  isChoice: (value: unknown) => value is C;
  /** The first day of the trip, and the verb that says so ("departs", "starts"). */
  start: (choice: C) => { date: string; verb: string };
  /** How many travellers a booking of the choice names, and the fields each must carry. */
  travelers: (choice: C) => Pick<PricedOffer, 'travelers' | 'requiredFields'>;
}

/**
 * A deterministic provider stand-in: the same search always gives the same offers and prices, and
 * an offer id carries the choice it was made from, signed, so that only ids it issued can be booked.
 */
export abstract class SandboxAdapter<S extends OfferSearch, C extends object> implements TravelProvider {
  readonly name: string;

  /** `offerIdKey` signs the offer ids it issues (see offer-id.ts): only those can be booked. */
  constructor(
    private readonly catalog: SandboxCatalog<C>,
    private readonly bookings: SandboxBookings,
    private readonly offerIdKey: Buffer,
  ) {
    this.name = catalog.name;
  }

  /** The choices a search offers, one per carrier or hotel. */
  protected abstract choices(criteria: S): C[];

  /** The price and the details of a choice. */
  protected abstract quote(choice: C): Omit<Offer, 'id'>;

  async search(criteria: OfferSearch): Promise<Offer[]> {
    const search = searchOf(this.name, this.catalog.type, criteria) as S;
    return this.choices(search).map((choice) => this.offer(choice));
  }

  async price(offerId: string): Promise<PricedOffer> {
    const choice = decodeOfferId(this.catalog.prefix, offerId, this.catalog.isChoice, this.offerIdKey);
    const start = this.catalog.start(choice);
    if (isPastDate(start.date)) throw new OfferUnavailableError(`Offer ${offerId} ${start.verb} in the past`);
    const offer = this.offer(choice);
    const priced: SandboxPriced = {
      offerId,
      total: { amount: offer.price.amount.toString(), currency: offer.price.currency },
    };
    return { offer, priced: JSON.stringify(priced), ...this.catalog.travelers(choice) };
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    const priced = JSON.parse(request.priced) as SandboxPriced;
    // The priced offer, exactly: its id is checked again (signed by this sandbox, not in the past).
    await this.price(priced.offerId);
    const total = { amount: BigInt(priced.total.amount), currency: priced.total.currency };
    return this.bookings.book(request, total, this.catalog.codeLength);
  }

  findBooking(reference: string): Promise<ProviderBooking | null> {
    return this.bookings.find(reference);
  }

  cancel(booking: ProviderBooking): Promise<void> {
    return this.bookings.cancel(booking);
  }

  private offer(choice: C): Offer {
    return { id: encodeOfferId(this.catalog.prefix, choice, this.offerIdKey), ...this.quote(choice) };
  }
}
