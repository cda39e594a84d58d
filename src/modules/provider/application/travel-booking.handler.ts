import type {
  BookingRequest,
  Offer,
  OfferSearch,
  ProviderBooking,
  TravelProvider,
} from '../domain/travel-provider';

/**
 * What a booking flow needs from a provider, for one kind of travel. The concrete handlers differ only
 * in the token through which they receive their TravelProvider: nothing here knows which one it is.
 */
export abstract class TravelBookingHandler<S extends OfferSearch = OfferSearch> {
  protected constructor(private readonly provider: TravelProvider) {}

  get providerName(): string {
    return this.provider.name;
  }

  search(criteria: S): Promise<Offer[]> {
    return this.provider.search(criteria);
  }

  checkOffer(offerId: string): Promise<Offer> {
    return this.provider.checkOffer(offerId);
  }

  book(request: BookingRequest): Promise<ProviderBooking> {
    return this.provider.book(request);
  }

  /**
   * Books unless an earlier attempt may already have: after an ambiguous failure (a timeout once the
   * request was sent) the booking made under our reference is looked up first, so a retry never
   * books twice.
   */
  async bookOnce(request: BookingRequest, previousAttemptAmbiguous: boolean): Promise<ProviderBooking> {
    if (previousAttemptAmbiguous) {
      const existing = await this.provider.findBooking(request.reference);
      if (existing) return existing;
    }
    return this.provider.book(request);
  }

  findBooking(reference: string): Promise<ProviderBooking | null> {
    return this.provider.findBooking(reference);
  }
}
