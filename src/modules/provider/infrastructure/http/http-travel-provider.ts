import type {
  BookingRequest,
  Offer,
  OfferSearch,
  PricedForm,
  PricedOffer,
  ProviderBooking,
  TravelProvider,
} from '../../domain/travel-provider';
import type { ProviderHttpClient, ProviderHttpResponse } from './provider-http.client';

/** What the live adapters share: the HTTP client, their credentials, a clock, and how a refusal reads. */
export abstract class HttpTravelProvider<Credentials> implements TravelProvider {
  abstract readonly name: string;

  constructor(
    protected readonly http: ProviderHttpClient,
    protected readonly credentials: Credentials,
    protected readonly now: () => number = Date.now,
  ) {}

  abstract search(criteria: OfferSearch): Promise<Offer[]>;
  abstract price(offerId: string): Promise<PricedOffer>;
  abstract book(request: BookingRequest): Promise<ProviderBooking>;
  abstract findBooking(reference: string, priced: PricedForm): Promise<ProviderBooking | null>;
  abstract cancel(booking: ProviderBooking): Promise<void>;

  /** The fields of the first error the provider's answer names (its code or title, its message). */
  protected abstract firstError(body: unknown): Array<string | undefined> | undefined;

  /** "status code message" from the provider's first error, else "HTTP status". */
  protected describe(res: ProviderHttpResponse): string {
    const fields = this.firstError(res.body);
    return fields ? [res.status, ...fields.map((f) => f ?? '')].join(' ').trim() : `HTTP ${res.status}`;
  }
}
