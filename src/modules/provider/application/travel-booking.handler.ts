import type {
  BookingRequest,
  Offer,
  OfferSearch,
  PricedForm,
  PricedOffer,
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

  price(offerId: string): Promise<PricedOffer> {
    return this.provider.price(offerId);
  }

  /**
   * Books unless an earlier attempt may already have: after an ambiguous failure (a timeout once the
   * request was sent) the booking made under our reference is looked up first, so a retry never
   * books twice. A provider that cannot be asked throws OutcomeUnknownError from the lookup.
   */
  async bookOnce(request: BookingRequest, previousAttemptAmbiguous: boolean): Promise<ProviderBooking> {
    if (previousAttemptAmbiguous) {
      const existing = await this.provider.findBooking(request.reference, request.priced);
      if (existing) return existing;
    }
    return this.provider.book(request);
  }

  findBooking(reference: string, priced: PricedForm): Promise<ProviderBooking | null> {
    return this.provider.findBooking(reference, priced);
  }

  cancel(booking: ProviderBooking): Promise<void> {
    return this.provider.cancel(booking);
  }
}
