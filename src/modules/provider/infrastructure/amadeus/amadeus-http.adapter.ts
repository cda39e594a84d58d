import { parsePhoneNumberFromString } from 'libphonenumber-js';
import {
  BookingNotCancellableError,
  BookingRefusedError,
  OfferUnavailableError,
  OutcomeUnknownError,
  ProviderUnavailableError,
} from '../../domain/provider.errors';
import {
  type BookingRequest,
  type FlightSearch,
  type Offer,
  type OfferSearch,
  type PricedOffer,
  type ProviderBooking,
  searchOf,
  type Traveler,
  type TravelProvider,
  type TravelerField,
} from '../../domain/travel-provider';
import { decimalToMinor } from '../http/decimal-amount';
import { HttpTravelProvider } from '../http/http-travel-provider';
import type { ProviderHttpRequest, ProviderHttpResponse } from '../http/provider-http.client';
import type { SearchedOfferStore } from '../http/searched-offers';
import { choiceGuard, decodeOfferId, encodeOfferId } from '../offer-id';

const PREFIX = 'ama';
/** Refresh this long before the token's announced expiry, at most a tenth of its lifetime. */
const EARLY_REFRESH_MS = 60_000;
/** Flight Offers Search/Price/Create Orders/Order Management: `consumes`/`produces` of each document. */
const AMADEUS_JSON = 'application/vnd.amadeus+json';

export interface AmadeusCredentials {
  clientId: string;
  clientSecret: string;
}

export interface AmadeusOptions {
  /** Flight Offers Search `currencyCode`: offers are quoted in it, whatever the account's default. */
  currency: string;
  /** Where searched offers wait to be priced. */
  offers: SearchedOfferStore;
}

/** What an offer id carries: the search, and the digest of the searched offer kept in SearchedOffers. */
interface FlightChoice extends Omit<FlightSearch, 'kind'> {
  offer: string;
}

const isFlightChoice = choiceGuard<FlightChoice>(
  (c) =>
    [c.origin, c.destination, c.departureDate, c.offer].every((x) => typeof x === 'string') &&
    Number.isInteger(c.adults),
);

interface AmadeusSegment {
  carrierCode: string;
  number: string;
  departure: { iataCode: string; at: string };
  arrival: { iataCode: string; at: string };
}

interface AmadeusFlightOffer {
  type: 'flight-offer';
  id: string;
  itineraries: Array<{ duration?: string; segments: AmadeusSegment[] }>;
  price: { currency: string; grandTotal?: string; total: string };
  travelerPricings: Array<{ travelerId: string; travelerType?: string }>;
  [key: string]: unknown;
}

/** Flight Offers Price `FlightOfferPricingOut.bookingRequirements`. */
interface BookingRequirements {
  invoiceAddressRequired?: boolean;
  mailingAddressRequired?: boolean;
  phoneCountryCodeRequired?: boolean;
  mobilePhoneNumberRequired?: boolean;
  phoneNumberRequired?: boolean;
  postalCodeRequired?: boolean;
  travelerRequirements?: Array<{
    travelerId: string;
    genderRequired?: boolean;
    documentRequired?: boolean;
    dateOfBirthRequired?: boolean;
    residenceRequired?: boolean;
  }>;
}

/** What `book` sends back to Flight Create Orders: the priced offer, exactly. */
interface PricedFlight {
  flightOffer: AmadeusFlightOffer;
}

/** Resource errors (`Error_400`/`Error_500`: `errors[]`) and the token endpoint's (`ErrorResponse`). */
interface AmadeusError {
  errors?: Array<{ code?: number; title?: string; detail?: string }>;
  error?: string;
  error_description?: string;
}

/**
 * Amadeus Self-Service (flights) over HTTP, per its published OpenAPI documents: OAuth2 client
 * credentials (Authorization v1), Flight Offers Search v2, Flight Offers Price v1, Flight Create
 * Orders v1 and Flight Order Management v1. The access token is cached until shortly before it
 * expires and fetched again on a 401.
 */
export class AmadeusHttpAdapter
  extends HttpTravelProvider<AmadeusCredentials, AmadeusOptions>
  implements TravelProvider
{
  readonly name = 'Amadeus';
  private token?: { value: string; refreshAt: number };
  private tokenRequest?: Promise<string>;

  async search(search: OfferSearch): Promise<Offer[]> {
    const { kind: _, ...criteria } = searchOf(this.name, 'flight', search);
    // Flight Offers Search v2, GET /shopping/flight-offers: the four required query parameters, and
    // `currencyCode` so that prices are in the service's currency rather than the account's default.
    const res = await this.authorized({
      method: 'GET',
      path: '/v2/shopping/flight-offers',
      query: {
        originLocationCode: criteria.origin,
        destinationLocationCode: criteria.destination,
        departureDate: criteria.departureDate,
        adults: criteria.adults,
        currencyCode: this.options.currency,
        max: 20,
      },
    });
    if (res.status >= 400) throw new OfferUnavailableError(`Amadeus search failed: ${this.describe(res)}`);
    const offers = (res.body as { data: AmadeusFlightOffer[] }).data;
    return Promise.all(
      offers.map(async (offer) =>
        toOffer(offer, { ...criteria, offer: await this.options.offers.keep(offer) }),
      ),
    );
  }

  async price(offerId: string): Promise<PricedOffer> {
    const choice = decodeOfferId(PREFIX, offerId, isFlightChoice);
    const searched = (await this.options.offers.find(choice.offer)) as AmadeusFlightOffer | undefined;
    if (!searched) throw new OfferUnavailableError(`Offer ${offerId} has expired: search again`);
    // Flight Offers Price v1, POST /shopping/flight-offers/pricing: the header
    // `X-HTTP-Method-Override: GET` is required (parameter `getOverride`), the body is
    // `{ data: FlightOfferPricingIn }` with `type` and `flightOffers` required.
    const res = await this.authorized({
      method: 'POST',
      path: '/v1/shopping/flight-offers/pricing',
      headers: { 'x-http-method-override': 'GET' },
      mediaType: AMADEUS_JSON,
      json: { data: { type: 'flight-offers-pricing', flightOffers: [searched] } },
    });
    if (res.status >= 400)
      throw new OfferUnavailableError(`Amadeus could not price ${offerId}: ${this.describe(res)}`);
    const data = (
      res.body as { data: { flightOffers: AmadeusFlightOffer[]; bookingRequirements?: BookingRequirements } }
    ).data;
    const flightOffer = data.flightOffers[0];
    const priced: PricedFlight = { flightOffer };
    const adults = flightOffer.travelerPricings.length;
    return {
      offer: toOffer(flightOffer, choice, offerId),
      priced: JSON.stringify(priced),
      travelers: { min: adults, max: adults },
      requiredFields: requiredFields(flightOffer, data.bookingRequirements ?? {}),
    };
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    const { flightOffer } = JSON.parse(request.priced) as PricedFlight;
    // Flight Create Orders v1, POST /booking/flight-orders: `data` is a FlightOrder (`type`,
    // `flightOffers` required) whose `travelers` carry the ids of the offer's `travelerPricings`.
    const res = await this.authorized({
      method: 'POST',
      path: '/v1/booking/flight-orders',
      retry: 'unsafe',
      mediaType: AMADEUS_JSON,
      json: {
        data: {
          type: 'flight-order',
          flightOffers: [flightOffer],
          travelers: request.travelers.map((traveler, index) =>
            toAmadeusTraveler(flightOffer.travelerPricings[index].travelerId, traveler),
          ),
          // GeneralRemark: `subType` and `text` required. Our reference, for a person reconciling by hand.
          remarks: { general: [{ subType: 'GENERAL_MISCELLANEOUS', text: `REF ${request.reference}` }] },
        },
      },
    });
    if (res.status >= 400) throw new BookingRefusedError(`Amadeus refused the order: ${this.describe(res)}`);
    const order = (
      res.body as {
        data: {
          id: string;
          associatedRecords?: Array<{ reference: string }>;
          flightOffers: AmadeusFlightOffer[];
        };
      }
    ).data;
    const booked = order.flightOffers[0].price;
    return {
      reference: request.reference,
      providerBookingId: order.id,
      confirmationCode: order.associatedRecords?.[0]?.reference ?? order.id,
      total: {
        amount: decimalToMinor(booked.grandTotal ?? booked.total, booked.currency),
        currency: booked.currency,
      },
    };
  }

  /**
   * Flight Order Management v1 reads an order only by its own id (GET /booking/flight-orders/{id})
   * and offers no search by a partner reference: an order whose creation timed out cannot be found.
   * Saying "none" would invite a second booking, so the outcome is reported as unknown.
   */
  async findBooking(reference: string): Promise<ProviderBooking | null> {
    throw new OutcomeUnknownError(
      `Amadeus cannot look up orders by our reference ${reference}: settle it by hand`,
    );
  }

  async cancel(booking: ProviderBooking): Promise<void> {
    // Flight Order Management v1, DELETE /booking/flight-orders/{flight-orderId}: 204 when deleted.
    const res = await this.authorized({
      method: 'DELETE',
      path: `/v1/booking/flight-orders/${encodeURIComponent(booking.providerBookingId)}`,
      // A repeated DELETE of a deleted order is a 404, which would read as a refusal: a timeout is
      // reported as ambiguous instead of retried.
      retry: 'unsafe',
      mediaType: AMADEUS_JSON,
    });
    if (res.status === 204) return;
    throw new BookingNotCancellableError(`Amadeus did not cancel the order: ${this.describe(res)}`);
  }

  protected firstError(body: unknown): Array<string | undefined> | undefined {
    const error = body as AmadeusError | null;
    if (error?.error) return [error.error, error.error_description];
    const first = error?.errors?.[0];
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
    // Authorization v1, POST /security/oauth2/token: form-encoded grant_type, client_id, client_secret.
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

/**
 * The traveller fields the pricing's `bookingRequirements` asks for, per traveller in the order of
 * `travelerPricings`. Requirements the API cannot carry (documents, addresses) make the offer one
 * the service cannot book.
 */
function requiredFields(offer: AmadeusFlightOffer, requirements: BookingRequirements): TravelerField[][] {
  const unsupported = [
    requirements.invoiceAddressRequired && 'an invoice address',
    requirements.mailingAddressRequired && 'a mailing address',
    requirements.postalCodeRequired && 'a postal code',
    requirements.travelerRequirements?.some((r) => r.documentRequired) && 'identity documents',
    requirements.travelerRequirements?.some((r) => r.residenceRequired) && 'a residence address',
  ].filter(Boolean);
  if (unsupported.length) {
    throw new OfferUnavailableError(`This fare needs ${unsupported.join(', ')}, which bookings do not carry`);
  }
  const phone =
    requirements.phoneNumberRequired ||
    requirements.mobilePhoneNumberRequired ||
    requirements.phoneCountryCodeRequired;
  return offer.travelerPricings.map((pricing, index) => {
    const own = requirements.travelerRequirements?.find((r) => r.travelerId === pricing.travelerId);
    const fields: TravelerField[] = [];
    // Phone requirements are per order: the first traveller is its contact.
    if (phone && index === 0) fields.push('phone');
    if (own?.dateOfBirthRequired) fields.push('date_of_birth');
    if (own?.genderRequired) fields.push('gender');
    return fields;
  });
}

/** Flight Create Orders `Traveler`: Stakeholder (id, dateOfBirth, gender, name) and Contact. */
function toAmadeusTraveler(id: string, traveler: Traveler): Record<string, unknown> {
  const phone = traveler.phone ? parsePhoneNumberFromString(traveler.phone) : undefined;
  return {
    id,
    ...(traveler.dateOfBirth && { dateOfBirth: traveler.dateOfBirth }),
    ...(traveler.gender && { gender: traveler.gender.toUpperCase() }),
    name: { firstName: traveler.firstName, lastName: traveler.lastName },
    contact: {
      emailAddress: traveler.email,
      // Phone: `countryCallingCode` as its description shows it ("1" for US, digits only), `number`
      // digits only ([0-9]{1,15}).
      ...(phone && {
        phones: [
          {
            deviceType: 'MOBILE',
            countryCallingCode: phone.countryCallingCode,
            number: phone.nationalNumber,
          },
        ],
      }),
    },
  };
}

function toOffer(offer: AmadeusFlightOffer, choice: FlightChoice, id?: string): Offer {
  const segments = offer.itineraries.flatMap((itinerary) => itinerary.segments);
  return {
    id: id ?? encodeOfferId(PREFIX, choice),
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
