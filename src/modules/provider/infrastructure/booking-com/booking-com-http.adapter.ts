import {
  BookingNotCancellableError,
  BookingRefusedError,
  OfferUnavailableError,
  ProviderUnavailableError,
} from '../../domain/provider.errors';
import {
  type BookingRequest,
  type Offer,
  type OfferSearch,
  type PricedOffer,
  type ProviderBooking,
  searchOf,
  type TravelProvider,
} from '../../domain/travel-provider';
import { decimalToMinor } from '../http/decimal-amount';
import { HttpTravelProvider } from '../http/http-travel-provider';
import type { ProviderHttpRequest, ProviderHttpResponse } from '../http/provider-http.client';
import { choiceGuard, decodeOfferId, encodeOfferId } from '../offer-id';
import { bookingComCityId } from './booking-com-cities';

const PREFIX = 'bkg';
/** Prices and taxes shown depend on where the booker is; the service sells from one market. */
const BOOKER = { country: 'us', platform: 'desktop' } as const;
/** `/orders/details` accepts a `created` window of at most 7 days. */
const LOOKUP_WINDOW_MS = 7 * 86_400_000;
/** `/orders/details/accommodations`: `orders` has maxItems 100. */
const DETAILS_BATCH = 100;
/** Statuses of an order (details rows' `status`) under which the stay is not booked. */
const NOT_BOOKED = new Set(['cancelled', 'cancelled_by_accommodation', 'cancelled_by_guest', 'no_show']);

export interface BookingComCredentials {
  token: string;
  affiliateId: string;
}

export interface BookingComOptions {
  /** The booker currency asked for (`currency` of search and preview). */
  currency: string;
}

/** What an offer id carries: the property, the stay, and the product chosen for each room. */
interface StayChoice {
  accommodation: number;
  checkIn: string;
  checkOut: string;
  rooms: Array<{ product: string; adults: number }>;
}

const isStayChoice = choiceGuard<StayChoice>(
  (s) =>
    Number.isInteger(s.accommodation) &&
    typeof s.checkIn === 'string' &&
    typeof s.checkOut === 'string' &&
    Array.isArray(s.rooms) &&
    s.rooms.length > 0 &&
    s.rooms.every((r) => typeof r?.product === 'string' && Number.isInteger(r.adults) && r.adults > 0),
);

type Amount = number | string;

interface SearchResult {
  id: number;
  currency: string;
  products?: Array<{ id: string; number_of_adults?: number; price: { book: Amount } }>;
  url?: string;
}

/** A preview price: in the booker currency when Booking.com converts, else `null` there. */
interface PreviewAmount {
  accommodation_currency: Amount;
  booker_currency: Amount | null;
}

interface PreviewResult {
  order_token: string;
  accommodation: {
    id: number;
    currency: { accommodation: string; booker: string | null };
    price: { total: PreviewAmount; chargeable_online?: PreviewAmount };
    general_policies?: {
      payment?: Partial<Record<PaymentTiming, { method_required?: boolean }>>;
    };
  };
}

type PaymentTiming = 'pay_online_now' | 'pay_online_later' | 'pay_at_the_property';

/** What `book` needs to create exactly the previewed order. */
interface PricedStay {
  orderToken: string;
  products: string[];
  total: { amount: string; currency: string };
  /** Bounds the lookup of an order whose creation timed out. */
  pricedAt: string;
  /** The booker currency the lookup asks for (`/orders/details` requires `currency`). */
  currency: string;
}

interface DetailsRow {
  id: string;
  reservation?: number | string;
  label?: string;
  status?: string;
}

/** The Demand API's error answers: `errors[]` of `{ id, message }`. */
interface DemandError {
  errors?: Array<{ id?: string; message?: string }>;
}

/**
 * Booking.com Demand API v3.1 (stays): accommodations/search, orders/preview, orders/create,
 * orders/details, orders/details/accommodations and orders/cancel. Every call carries the bearer
 * token and the `X-Affiliate-Id` header; our booking reference travels as the order's `label`, which
 * the accommodation details return, so an order whose creation timed out can be found again.
 */
export class BookingComHttpAdapter
  extends HttpTravelProvider<BookingComCredentials, BookingComOptions>
  implements TravelProvider
{
  readonly name = 'Booking.com';

  async search(search: OfferSearch): Promise<Offer[]> {
    const criteria = searchOf(this.name, 'hotel', search);
    const allocation = rooms(criteria.guests);
    // /accommodations/search: `booker`, `checkin`, `checkout`, `guests` required; `city` is a
    // Booking.com city id (integer); `payment.timing: pay_online` keeps only what is paid online,
    // as the wallet pays it; `extras: [products]` returns the products, one set per room.
    const res = await this.call({
      method: 'POST',
      path: '/3.1/accommodations/search',
      json: {
        booker: BOOKER,
        checkin: criteria.checkIn,
        checkout: criteria.checkOut,
        city: bookingComCityId(criteria.city),
        currency: this.options.currency,
        guests: {
          number_of_adults: criteria.guests,
          number_of_rooms: allocation.length,
          allocation: allocation.map((adults) => ({ number_of_adults: adults, children: [] })),
        },
        payment: { timing: 'pay_online' },
        extras: ['products'],
      },
    });
    if (res.status >= 400)
      throw new OfferUnavailableError(`Booking.com search failed: ${this.describe(res)}`);
    return (res.body as { data: SearchResult[] }).data.flatMap((result) => {
      const chosen = chooseProducts(result, allocation);
      if (!chosen) return [];
      const choice: StayChoice = {
        accommodation: result.id,
        checkIn: criteria.checkIn,
        checkOut: criteria.checkOut,
        rooms: chosen.map(({ product, adults }) => ({ product: product.id, adults })),
      };
      // The stay's price is the sum of its rooms' products.
      const amount = chosen.reduce(
        (sum, { product }) => sum + decimalToMinor(product.price.book, result.currency),
        0n,
      );
      return [
        {
          id: encodeOfferId(PREFIX, choice),
          price: { amount, currency: result.currency },
          details: details(choice, result.url),
        },
      ];
    });
  }

  async price(offerId: string): Promise<PricedOffer> {
    const choice = decodeOfferId(PREFIX, offerId, isStayChoice);
    // /orders/preview: `booker` and `accommodation` required; one product per room with its allocation.
    const res = await this.call({
      method: 'POST',
      path: '/3.1/orders/preview',
      json: {
        booker: BOOKER,
        currency: this.options.currency,
        accommodation: {
          id: choice.accommodation,
          checkin: choice.checkIn,
          checkout: choice.checkOut,
          products: choice.rooms.map((room) => ({
            id: room.product,
            allocation: { number_of_adults: room.adults, children: [] },
          })),
        },
      },
    });
    if (res.status >= 400)
      throw new OfferUnavailableError(`Offer ${offerId} cannot be booked: ${this.describe(res)}`);
    const preview = (res.body as { data: PreviewResult }).data;
    const { accommodation } = preview;
    // `booker_currency` is null when Booking.com does not convert: the accommodation's currency holds.
    const converted = accommodation.price.total.booker_currency !== null;
    const currency = converted
      ? (accommodation.currency.booker as string)
      : accommodation.currency.accommodation;
    const amountOf = (value: PreviewAmount) =>
      decimalToMinor(converted ? (value.booker_currency as Amount) : value.accommodation_currency, currency);
    const total = amountOf(accommodation.price.total);
    this.assertPaidOnlineInFull(offerId, preview, total, amountOf);
    const guests = choice.rooms.reduce((sum, room) => sum + room.adults, 0);
    const priced: PricedStay = {
      orderToken: preview.order_token,
      products: choice.rooms.map((room) => room.product),
      total: { amount: total.toString(), currency },
      pricedAt: new Date(this.now()).toISOString(),
      currency: this.options.currency,
    };
    return {
      offer: { id: offerId, price: { amount: total, currency }, details: details(choice) },
      priced: JSON.stringify(priced),
      travelers: { min: 1, max: guests },
      // /orders/create `booker.telephone` is required: the first traveller is the booker.
      requiredFields: [['phone']],
    };
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    const priced = JSON.parse(request.priced) as PricedStay;
    const [booker] = request.travelers;
    // /orders/create: `booker` (address.country, email, name, telephone), `order_token` and
    // `payment.timing` required. `pay_online_now` without a method: the preview said none is required
    // (see assertPaidOnlineInFull), and the guest owes the property nothing.
    const res = await this.call({
      method: 'POST',
      path: '/3.1/orders/create',
      retry: 'unsafe',
      json: {
        order_token: priced.orderToken,
        booker: {
          address: { country: BOOKER.country },
          email: booker.email,
          language: 'en-us',
          name: { first_name: booker.firstName, last_name: booker.lastName },
          telephone: booker.phone,
        },
        accommodation: {
          label: request.reference,
          products: priced.products.map((id, index) => {
            const guest = request.travelers[index];
            return guest
              ? { id, guests: [{ email: guest.email, name: `${guest.firstName} ${guest.lastName}` }] }
              : { id };
          }),
        },
        payment: { timing: 'pay_online_now' },
      },
    });
    if (res.status >= 400)
      throw new BookingRefusedError(`Booking.com refused the order: ${this.describe(res)}`);
    const { accommodation } = (
      res.body as { data: { accommodation: { order: string; reservation: number | string } } }
    ).data;
    return {
      reference: request.reference,
      providerBookingId: String(accommodation.order),
      confirmationCode: String(accommodation.reservation),
      // The order token fixes the previewed price: the order is made at it.
      total: { amount: BigInt(priced.total.amount), currency: priced.total.currency },
    };
  }

  /**
   * Orders carry our reference as their `label`, which only the accommodation details return, and
   * those take order ids: so the orders created since the pricing (/orders/details, `created`
   * window of at most 7 days, `currency` required) are read first, then their details.
   */
  async findBooking(reference: string, pricedForm: string): Promise<ProviderBooking | null> {
    const priced = JSON.parse(pricedForm) as PricedStay;
    const from = Date.parse(priced.pricedAt) - 60_000;
    const to = Math.min(from + LOOKUP_WINDOW_MS, this.now() + 60_000);
    const orders: string[] = [];
    let body: Record<string, unknown> = {
      created: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      currency: priced.currency,
      services: ['accommodations'],
    };
    for (;;) {
      const res = await this.call({ method: 'POST', path: '/3.1/orders/details', json: body });
      if (res.status >= 400)
        throw new ProviderUnavailableError(`Booking.com order lookup failed: ${this.describe(res)}`);
      const page = res.body as { data: Array<{ id: string }>; metadata?: { next_page?: string | null } };
      orders.push(...page.data.map((row) => row.id));
      if (!page.metadata?.next_page) break;
      body = { page: page.metadata.next_page };
    }
    for (let start = 0; start < orders.length; start += DETAILS_BATCH) {
      const res = await this.call({
        method: 'POST',
        path: '/3.1/orders/details/accommodations',
        json: { orders: orders.slice(start, start + DETAILS_BATCH), currency: priced.currency },
      });
      if (res.status >= 400)
        throw new ProviderUnavailableError(`Booking.com order lookup failed: ${this.describe(res)}`);
      const found = (res.body as { data: DetailsRow[] }).data.find(
        (row) => row.label === reference && !NOT_BOOKED.has(row.status ?? ''),
      );
      if (found) {
        return {
          reference,
          providerBookingId: String(found.id),
          confirmationCode: String(found.reservation),
          total: { amount: BigInt(priced.total.amount), currency: priced.total.currency },
        };
      }
    }
    return null;
  }

  async cancel(booking: ProviderBooking): Promise<void> {
    // /orders/cancel: `order` and `reason` required; `data.status` says whether it happened.
    const res = await this.call({
      method: 'POST',
      path: '/3.1/orders/cancel',
      // A repeated cancel of a cancelled order is refused, which would read as a refusal: a timeout is
      // reported as ambiguous instead of retried.
      retry: 'unsafe',
      json: { order: booking.providerBookingId, reason: 'Cancelled by the customer' },
    });
    const status = (res.body as { data?: { status?: string } } | null)?.data?.status;
    if (res.status === 200 && status === 'successful') return;
    throw new BookingNotCancellableError(`Booking.com did not cancel the order: ${this.describe(res)}`);
  }

  protected firstError(body: unknown): Array<string | undefined> | undefined {
    const first = (body as DemandError | null)?.errors?.[0];
    return first && [first.id, first.message];
  }

  /**
   * The wallet pays the whole stay: only a stay Booking.com takes online now, without a payment
   * method from us, and with nothing left to pay at the property, can be sold.
   */
  private assertPaidOnlineInFull(
    offerId: string,
    preview: PreviewResult,
    total: bigint,
    amountOf: (value: PreviewAmount) => bigint,
  ): void {
    const now = preview.accommodation.general_policies?.payment?.pay_online_now;
    const online = preview.accommodation.price.chargeable_online;
    if (!now || now.method_required || (online && amountOf(online) !== total)) {
      throw new OfferUnavailableError(
        `Offer ${offerId} would leave the guest something to pay at the property; it cannot be paid from a wallet`,
      );
    }
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

/** Adults per room: two a room, the last one takes the odd guest. */
function rooms(guests: number): number[] {
  const count = Math.ceil(guests / 2);
  return Array.from({ length: count }, (_, i) => (i < count - 1 || guests % 2 === 0 ? 2 : 1));
}

/**
 * For each room, the smallest product that takes its adults (the same product may serve two rooms);
 * null if a room has none.
 */
function chooseProducts(
  result: SearchResult,
  allocation: number[],
): Array<{ product: NonNullable<SearchResult['products']>[number]; adults: number }> | null {
  const bySize = [...(result.products ?? [])].sort(
    (a, b) => (a.number_of_adults ?? 0) - (b.number_of_adults ?? 0),
  );
  const chosen = allocation.map((adults) => {
    const product = bySize.find((p) => (p.number_of_adults ?? adults) >= adults);
    return product && { product, adults };
  });
  return chosen.every(Boolean) ? (chosen as Array<NonNullable<(typeof chosen)[number]>>) : null;
}

function details(choice: StayChoice, url?: string): Record<string, unknown> {
  return {
    accommodation_id: choice.accommodation,
    check_in: choice.checkIn,
    check_out: choice.checkOut,
    rooms: choice.rooms.map((room) => ({ product_id: room.product, adults: room.adults })),
    guests: choice.rooms.reduce((sum, room) => sum + room.adults, 0),
    ...(url && { url }),
  };
}
