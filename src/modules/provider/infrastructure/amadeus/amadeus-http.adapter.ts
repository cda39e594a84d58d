import {
  BookingRefusedError,
  OfferUnavailableError,
  ProviderUnavailableError,
} from '../../domain/provider.errors';
import {
  type BookingRequest,
  type FlightSearch,
  type Offer,
  type OfferSearch,
  type ProviderBooking,
  searchOf,
} from '../../domain/travel-provider';
import { decimalToMinor } from '../http/decimal-amount';
import { HttpTravelProvider } from '../http/http-travel-provider';
import type { ProviderHttpRequest, ProviderHttpResponse } from '../http/provider-http.client';
import { choiceGuard, decodeOfferId, encodeOfferId } from '../offer-id';

const PREFIX = 'ama';
/** Refresh this long before the token's announced expiry, at most a tenth of its lifetime. */
const EARLY_REFRESH_MS = 60_000;

export interface AmadeusCredentials {
  clientId: string;
  clientSecret: string;
}

/** What an offer id carries: the search, and the itinerary chosen in it (Amadeus offer ids are per search). */
interface FlightChoice extends Omit<FlightSearch, 'kind'> {
  signature: string;
}

const isFlightChoice = choiceGuard<FlightChoice>(
  (c) =>
    [c.origin, c.destination, c.departureDate, c.signature].every((x) => typeof x === 'string') &&
    Number.isInteger(c.adults),
);

interface AmadeusSegment {
  carrierCode: string;
  number: string;
  departure: { iataCode: string; at: string };
  arrival: { iataCode: string; at: string };
}

interface AmadeusFlightOffer {
  id: string;
  itineraries: Array<{ duration?: string; segments: AmadeusSegment[] }>;
  price: { currency: string; grandTotal?: string; total: string };
  [key: string]: unknown;
}

interface AmadeusError {
  errors?: Array<{ code?: number; title?: string; detail?: string }>;
}

/**
 * Amadeus Self-Service (flights) over HTTP: OAuth2 client credentials, Flight Offers Search, Flight
 * Offers Price and Flight Create Orders. The access token is cached until shortly before it expires
 * and fetched again on a 401.
 */
export class AmadeusHttpAdapter extends HttpTravelProvider<AmadeusCredentials> {
  readonly name = 'Amadeus';
  private token?: { value: string; refreshAt: number };
  private tokenRequest?: Promise<string>;

  async search(search: OfferSearch): Promise<Offer[]> {
    const criteria = searchOf(this.name, 'flight', search);
    const offers = await this.searchRaw(
      criteria.origin,
      criteria.destination,
      criteria.departureDate,
      criteria.adults,
    );
    return offers.map((offer) =>
      toOffer(offer, {
        origin: criteria.origin,
        destination: criteria.destination,
        departureDate: criteria.departureDate,
        adults: criteria.adults,
        signature: signature(offer),
      }),
    );
  }

  async checkOffer(offerId: string): Promise<Offer> {
    const { choice, priced } = await this.price(offerId);
    return toOffer(priced, choice);
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    const { priced } = await this.price(request.offerId);
    const res = await this.authorized({
      method: 'POST',
      path: '/v1/booking/flight-orders',
      retry: 'unsafe',
      json: {
        data: {
          type: 'flight-order',
          flightOffers: [priced],
          travelers: [
            {
              id: '1',
              name: { firstName: request.traveler.firstName, lastName: request.traveler.lastName },
              contact: { emailAddress: request.traveler.email },
            },
          ],
          remarks: { general: [{ subType: 'GENERAL_MISCELLANEOUS', text: `REF ${request.reference}` }] },
        },
      },
    });
    if (res.status >= 400) throw new BookingRefusedError(`Amadeus refused the order: ${this.describe(res)}`);
    const order = (res.body as { data: { id: string; associatedRecords?: Array<{ reference: string }> } })
      .data;
    return {
      reference: request.reference,
      providerBookingId: order.id,
      confirmationCode: order.associatedRecords?.[0]?.reference ?? order.id,
    };
  }

  /**
   * Amadeus Self-Service can read an order only by its own id (GET /v1/booking/flight-orders/{id}) and
   * offers no search by a partner reference, so an order whose creation timed out cannot be found
   * here. Saying "none" would invite a second booking; the outcome stays unknown instead.
   */
  async findBooking(reference: string): Promise<ProviderBooking | null> {
    throw new ProviderUnavailableError(
      `Amadeus cannot look up orders by partner reference ${reference}; reconcile it by hand`,
    );
  }

  private async searchRaw(origin: string, destination: string, date: string, adults: number) {
    const res = await this.authorized({
      method: 'GET',
      path: '/v2/shopping/flight-offers',
      query: {
        originLocationCode: origin,
        destinationLocationCode: destination,
        departureDate: date,
        adults,
        max: 20,
      },
    });
    if (res.status >= 400) throw new OfferUnavailableError(`Amadeus search failed: ${this.describe(res)}`);
    return (res.body as { data: AmadeusFlightOffer[] }).data;
  }

  /** Finds the chosen itinerary again and has Amadeus confirm its price (offers go stale quickly). */
  private async price(offerId: string): Promise<{ choice: FlightChoice; priced: AmadeusFlightOffer }> {
    const choice = decodeOfferId(PREFIX, offerId, isFlightChoice);
    const offers = await this.searchRaw(
      choice.origin,
      choice.destination,
      choice.departureDate,
      choice.adults,
    );
    const offer = offers.find((candidate) => signature(candidate) === choice.signature);
    if (!offer) throw new OfferUnavailableError(`Offer ${offerId} is no longer sold`);
    const res = await this.authorized({
      method: 'POST',
      path: '/v1/shopping/flight-offers/pricing',
      json: { data: { type: 'flight-offers-pricing', flightOffers: [offer] } },
    });
    if (res.status >= 400)
      throw new OfferUnavailableError(`Amadeus could not price ${offerId}: ${this.describe(res)}`);
    const priced = (res.body as { data: { flightOffers: AmadeusFlightOffer[] } }).data.flightOffers[0];
    return { choice, priced };
  }

  protected firstError(body: unknown): Array<string | undefined> | undefined {
    const first = (body as AmadeusError | null)?.errors?.[0];
    return first && [first.title, first.detail];
  }

  private async authorized(request: ProviderHttpRequest): Promise<ProviderHttpResponse> {
    const send = async (token: string) =>
      this.http.send({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });
    const res = await send(await this.accessToken());
    if (res.status !== 401) return res;
    // Revoked or expired early: one fresh token, one more try.
    this.token = undefined;
    const retried = await send(await this.accessToken());
    if (retried.status === 401) throw new ProviderUnavailableError('Amadeus rejected our credentials');
    return retried;
  }

  private accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return Promise.resolve(this.token.value);
    // Concurrent callers share one token request.
    this.tokenRequest ??= this.fetchToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const res = await this.http.send({
      method: 'POST',
      path: '/v1/security/oauth2/token',
      form: {
        grant_type: 'client_credentials',
        client_id: this.credentials.clientId,
        client_secret: this.credentials.clientSecret,
      },
    });
    if (res.status !== 200)
      throw new ProviderUnavailableError(`Amadeus token request failed: ${this.describe(res)}`);
    const body = res.body as { access_token: string; expires_in: number };
    const lifetimeMs = body.expires_in * 1000;
    this.token = {
      value: body.access_token,
      refreshAt: this.now() + lifetimeMs - Math.min(EARLY_REFRESH_MS, lifetimeMs / 10),
    };
    return body.access_token;
  }
}

function signature(offer: AmadeusFlightOffer): string {
  return offer.itineraries
    .flatMap((itinerary) => itinerary.segments.map((s) => `${s.carrierCode}${s.number}@${s.departure.at}`))
    .join('|');
}

function toOffer(offer: AmadeusFlightOffer, choice: FlightChoice): Offer {
  const segments = offer.itineraries.flatMap((itinerary) => itinerary.segments);
  return {
    id: encodeOfferId(PREFIX, choice),
    price: {
      amount: decimalToMinor(offer.price.grandTotal ?? offer.price.total, offer.price.currency),
      currency: offer.price.currency,
    },
    details: {
      origin: choice.origin,
      destination: choice.destination,
      departure_date: choice.departureDate,
      adults: choice.adults,
      segments: segments.map((s) => ({
        flight_number: `${s.carrierCode}${s.number}`,
        from: s.departure.iataCode,
        to: s.arrival.iataCode,
        departs_at: s.departure.at,
        arrives_at: s.arrival.at,
      })),
    },
  };
}
