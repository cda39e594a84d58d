import {
  BookingRefusedError,
  OfferUnavailableError,
  ProviderUnavailableError,
} from '../../domain/provider.errors';
import {
  type BookingRequest,
  type HotelSearch,
  type Offer,
  type OfferSearch,
  type ProviderBooking,
  searchOf,
} from '../../domain/travel-provider';
import { decimalToMinor } from '../http/decimal-amount';
import { HttpTravelProvider } from '../http/http-travel-provider';
import type { ProviderHttpRequest, ProviderHttpResponse } from '../http/provider-http.client';
import { choiceGuard, decodeOfferId, encodeOfferId } from '../offer-id';

const PREFIX = 'bkg';
/** Prices and taxes shown depend on where the booker is; the service sells from one market. */
const BOOKER = { country: 'us', platform: 'desktop' } as const;
/** How far back a lookup by our reference searches: booking jobs retry within minutes. */
const LOOKUP_WINDOW_MS = 2 * 86_400_000;

export interface BookingComCredentials {
  token: string;
  affiliateId: string;
}

/** What an offer id carries: the property, the product chosen, the stay and the allocation. */
interface StayChoice extends Pick<HotelSearch, 'checkIn' | 'checkOut' | 'guests'> {
  accommodationId: number;
  productId: string;
  currency: string;
}

const isStayChoice = choiceGuard<StayChoice>(
  (s) =>
    Number.isInteger(s.accommodationId) &&
    Number.isInteger(s.guests) &&
    [s.productId, s.checkIn, s.checkOut, s.currency].every((x) => typeof x === 'string'),
);

interface SearchResult {
  id: number;
  currency: string;
  price: { book: number | string; total?: number | string };
  products?: Array<{ id: string; price?: { book: number | string } }>;
  url?: string;
}

interface PreviewResult {
  order_token: string;
  currency?: string;
  accommodation: { id: number; price: { total: { booker_currency: number | string } } };
}

interface DemandError {
  errors?: Array<{ id?: string; message?: string }>;
}

/**
 * Booking.com Demand API v3.1 (stays): accommodations/search, orders/preview, orders/create,
 * orders/details/accommodations and orders/cancel. Every call carries the bearer token and the
 * affiliate id header; our booking reference travels as the order's `label`, which Booking.com
 * returns with the order's details, so an order whose creation timed out can be found again.
 */
export class BookingComHttpAdapter extends HttpTravelProvider<BookingComCredentials> {
  readonly name = 'Booking.com';

  async search(search: OfferSearch): Promise<Offer[]> {
    const criteria = searchOf(this.name, 'hotel', search);
    const res = await this.call({
      method: 'POST',
      path: '/3.1/accommodations/search',
      json: {
        booker: BOOKER,
        checkin: criteria.checkIn,
        checkout: criteria.checkOut,
        airport: criteria.city,
        guests: { number_of_adults: criteria.guests, number_of_rooms: rooms(criteria.guests) },
        extras: ['products'],
      },
    });
    if (res.status >= 400)
      throw new OfferUnavailableError(`Booking.com search failed: ${this.describe(res)}`);
    return (res.body as { data: SearchResult[] }).data
      .filter((result) => result.products?.length)
      .map((result) => {
        const product = result.products![0];
        const choice: StayChoice = {
          accommodationId: result.id,
          productId: product.id,
          checkIn: criteria.checkIn,
          checkOut: criteria.checkOut,
          guests: criteria.guests,
          currency: result.currency,
        };
        return {
          id: encodeOfferId(PREFIX, choice),
          price: {
            amount: decimalToMinor(product.price?.book ?? result.price.book, result.currency),
            currency: result.currency,
          },
          details: {
            accommodation_id: result.id,
            product_id: product.id,
            check_in: choice.checkIn,
            check_out: choice.checkOut,
            guests: choice.guests,
            url: result.url,
          },
        };
      });
  }

  async checkOffer(offerId: string): Promise<Offer> {
    const { choice, preview } = await this.preview(offerId);
    const currency = preview.currency ?? choice.currency;
    return {
      id: offerId,
      price: {
        amount: decimalToMinor(preview.accommodation.price.total.booker_currency, currency),
        currency,
      },
      details: {
        accommodation_id: choice.accommodationId,
        product_id: choice.productId,
        check_in: choice.checkIn,
        check_out: choice.checkOut,
        guests: choice.guests,
      },
    };
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    const { choice, preview } = await this.preview(request.offerId);
    const { firstName, lastName, email } = request.traveler;
    const res = await this.call({
      method: 'POST',
      path: '/3.1/orders/create',
      retry: 'unsafe',
      json: {
        order_token: preview.order_token,
        booker: {
          email,
          name: { first_name: firstName, last_name: lastName },
          address: { country: BOOKER.country },
          language: 'en-us',
        },
        accommodation: {
          label: request.reference,
          products: [{ id: choice.productId, guests: [{ email, name: `${firstName} ${lastName}` }] }],
        },
        payment: { timing: 'pay_at_the_property' },
      },
    });
    if (res.status >= 400)
      throw new BookingRefusedError(`Booking.com refused the order: ${this.describe(res)}`);
    const data = (res.body as { data: { order: string; accommodation: { reservation: string | number } } })
      .data;
    return {
      reference: request.reference,
      providerBookingId: String(data.order),
      confirmationCode: String(data.accommodation.reservation),
    };
  }

  async findBooking(reference: string): Promise<ProviderBooking | null> {
    const res = await this.call({
      method: 'POST',
      path: '/3.1/orders/details/accommodations',
      json: {
        created: {
          from: new Date(this.now() - LOOKUP_WINDOW_MS).toISOString(),
          to: new Date(this.now() + 60_000).toISOString(),
        },
      },
    });
    if (res.status >= 400)
      throw new ProviderUnavailableError(`Booking.com lookup failed: ${this.describe(res)}`);
    const rows = (
      res.body as {
        data: Array<{ order: string; reservation: string | number; label?: string; status?: string }>;
      }
    ).data;
    const found = rows.find((row) => row.label === reference && row.status !== 'cancelled');
    return found
      ? { reference, providerBookingId: String(found.order), confirmationCode: String(found.reservation) }
      : null;
  }

  private async preview(offerId: string): Promise<{ choice: StayChoice; preview: PreviewResult }> {
    const choice = decodeOfferId(PREFIX, offerId, isStayChoice);
    const res = await this.call({
      method: 'POST',
      path: '/3.1/orders/preview',
      json: {
        booker: BOOKER,
        currency: choice.currency,
        accommodation: {
          id: choice.accommodationId,
          checkin: choice.checkIn,
          checkout: choice.checkOut,
          products: [{ id: choice.productId, allocation: { number_of_adults: choice.guests, children: [] } }],
        },
      },
    });
    if (res.status >= 400)
      throw new OfferUnavailableError(`Offer ${offerId} cannot be booked: ${this.describe(res)}`);
    return { choice, preview: (res.body as { data: PreviewResult }).data };
  }

  protected firstError(body: unknown): Array<string | undefined> | undefined {
    const first = (body as DemandError | null)?.errors?.[0];
    return first && [first.id, first.message];
  }

  private async call(request: ProviderHttpRequest): Promise<ProviderHttpResponse> {
    const res = await this.http.send({
      ...request,
      headers: {
        authorization: `Bearer ${this.credentials.token}`,
        'x-affiliate-id': this.credentials.affiliateId,
      },
    });
    if (res.status === 401 || res.status === 403) {
      throw new ProviderUnavailableError(`Booking.com rejected our credentials: ${this.describe(res)}`);
    }
    return res;
  }
}

function rooms(guests: number): number {
  return Math.ceil(guests / 2);
}
