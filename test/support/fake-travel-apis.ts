import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

/*
 * Local stand-ins of Amadeus Self-Service and of the Booking.com Demand API v3.1, written from their
 * published API documents, which they hold the service's adapters to: each stand-in refuses, with its
 * provider's documented error shape, every request those documents would refuse (a missing required
 * header, field or authentication, a wrong format or enum value, a wrong method or content type),
 * and answers in the shape of the documents' examples. Each rule names the operation and the field
 * it comes from:
 *
 * - Amadeus: the OpenAPI files of amadeus4dev/amadeus-open-api-specification (2024-09-30):
 *   Authorization v1 (`POST /v1/security/oauth2/token`), Flight Offers Search v2, Flight Offers Price
 *   v1, Flight Create Orders v1, Flight Order Management v1. The resource operations `consume` and
 *   `produce` `application/vnd.amadeus+json`; their errors are `Error_400`/`Error_500`:
 *   `{ errors: [Issue] }`; the token endpoint's are `ErrorResponse`: `{ error, error_description,
 *   code, title }`.
 * - Booking.com: Demand API 3.1 (developers.booking.com/demand/docs/open-api/demand-api), operations
 *   /accommodations/search, /orders/preview, /orders/create, /orders/details,
 *   /orders/details/accommodations and /orders/cancel: every one is a POST of `application/json`,
 *   with `security: BearerAuth` and the required header parameter `X-Affiliate-Id` (integer). Errors
 *   are `{ request_id, errors: [{ id, message }] }`.
 *
 * How the stand-ins were checked against the documents: every required field, pattern, enum and
 * header below was taken from the operation's request schema in the document, field by field. Then,
 * during development, a throwaway test (not kept: the project carries no copy of the documents) drove
 * both adapters through search, pricing, a two-adult order, hotel stays of 1, 2, 3 and 5 guests,
 * lookups and cancellations against these stand-ins, and validated every request they sent with Ajv
 * against the documents' own request schemas (the Amadeus JSON definitions, the Booking.com YAML) and
 * required headers and query parameters: all valid, once the stand-in's searched offers carried the
 * `travelerPricings[].fareDetailsBySegment` that FlightOffer requires (the check found it missing).
 * The only schema errors left aside were the documents' known flaw (segment `departure.at` and
 * `arrival.at` typed `date-time` while carrying no offset, as their own examples do). The same test
 * confirmed that requests these stand-ins refuse are invalid per the documents: pricing without
 * `X-HTTP-Method-Override` or as `application/json` or without `flightOffers`, an order with a
 * gender outside StakeholderGender or a remark without `subType`, a hotel order without
 * `booker.telephone` or `payment.timing`, a search with `city: "PAR"`, accommodation details by a
 * `created` window, a Demand API call without `X-Affiliate-Id`. Two rules here go beyond the
 * schemas and say so where they are made: Amadeus's `countryCallingCode` (its description, not its
 * pattern) and the 7-day limit of /orders/details (the document's prose).
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

interface Fault {
  status?: number;
  headers?: Record<string, string>;
  /** Do the real work, then answer only after this many ms (a client timeout in between). */
  delayMs?: number;
}

type Answer = [status: number, body: unknown, contentType?: string];
// Request bodies are read loosely, as a server reads a body it has not validated yet.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const AMADEUS_JSON = 'application/vnd.amadeus+json';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const IATA = /^[A-Z]{3}$/;
const CURRENCY = /^[A-Z]{3}$/;
const COUNTRY = /^[a-z]{2}$/;
const LANGUAGE = /^[a-z]{2}(-[a-z]{2})?$/;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isInt = (value: unknown, min = -Infinity): boolean =>
  Number.isInteger(value) && (value as number) >= min;
const isString = (value: unknown): value is string => typeof value === 'string';

/** The flight itineraries the stand-in sells JFK → LHR, priced per adult in EUR. */
const ITINERARIES = [
  {
    perAdult: 35534n,
    segments: [
      {
        departure: { iataCode: 'JFK', terminal: '7', at: 'T18:30:00' },
        arrival: { iataCode: 'LHR', terminal: '5', at: 'T06:40:00' },
        carrierCode: 'BA',
        number: '178',
        aircraft: { code: '777' },
      },
    ],
  },
  {
    perAdult: 41200n,
    segments: [
      {
        departure: { iataCode: 'JFK', terminal: '8', at: 'T21:00:00' },
        arrival: { iataCode: 'LHR', terminal: '3', at: 'T09:05:00' },
        carrierCode: 'AA',
        number: '100',
        aircraft: { code: '77W' },
      },
    ],
  },
];

/** Paris's Booking.com city id, the only city the stand-in has hotels in. */
export const PARIS_CITY_ID = -1456928;

/** Its hotels: one product per room size, priced per night in EUR (the accommodation's currency). */
const HOTELS = [
  {
    id: 10507360,
    url: 'https://www.booking.com/hotel/fr/example.html',
    products: [
      { id: '1050736002_377311511_0_2_0', adults: 2, perNight: 17077n },
      { id: '1050736001_377311512_0_1_0', adults: 1, perNight: 12000n },
    ],
  },
];

const money = (minor: bigint): string => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;

interface FlightOrder {
  id: string;
  reference: string;
  travelers: Loose[];
  remarks: Loose;
  flightOffers: Loose[];
  deleted: boolean;
}

interface HotelOrder {
  id: string;
  reservation: number;
  label: string | undefined;
  status: string;
  created: string;
  booker: Loose;
  payment: Loose;
  products: Loose[];
  total: bigint;
  currency: string;
}

interface Preview {
  accommodation: number;
  total: bigint;
  timings: string[];
  methodRequired: boolean;
}

/**
 * The two provider APIs on one local port: Amadeus under /v1 and /v2, Booking.com under /3.1. They
 * keep the orders made, record every request, and can be told to fail or stall the next calls to a
 * route, to price or book at other totals, and what a pricing requires of travellers.
 */
export class FakeTravelApis {
  readonly requests: RecordedRequest[] = [];
  readonly flightOrders: FlightOrder[] = [];
  readonly hotelOrders: HotelOrder[] = [];
  tokensIssued = 0;
  tokenLifetimeSeconds = 1799;
  /** Amadeus: the account's default currency, used when a search names no `currencyCode`. */
  accountCurrency = 'USD';
  /** Amadeus: what Flight Offers Price adds to the searched total (the fare moved since the search). */
  pricingDelta = 476n;
  /** Amadeus: what Flight Create Orders adds to the priced total (a price rise, or a drop if negative). */
  orderDelta = 0n;
  /** Amadeus: the `bookingRequirements` every pricing answers. */
  bookingRequirements: Loose = {
    emailAddressRequired: true,
    mobilePhoneNumberRequired: true,
  };
  /** Amadeus: per traveller (by position), what `bookingRequirements.travelerRequirements` says. */
  travelerRequirements: Loose[] = [{ dateOfBirthRequired: true }];
  /** Booking.com: the payment timings a preview offers, and whether they need a payment method. */
  paymentTimings = ['pay_online_now', 'pay_at_the_property'];
  paymentMethodRequired = false;
  /** Booking.com: the preview converts to the booker currency (else `booker_currency: null`). */
  convertsToBookerCurrency = true;
  private validTokens = new Set<string>();
  private pricedOffers = new Map<string, Loose>();
  private searchedOffers = new Map<string, Loose>();
  private previews = new Map<string, Preview>();
  private faults = new Map<string, Fault[]>();
  private server?: Server;
  url = '';

  static readonly CLIENT_ID = 'amadeus-client';
  static readonly CLIENT_SECRET = 'amadeus-secret';
  static readonly BOOKING_TOKEN = 'booking-token';
  static readonly AFFILIATE_ID = '1234567';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The next calls to `METHOD /path` meet these faults, one per call. */
  failNext(route: string, ...faults: Fault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  revokeTokens(): void {
    this.validTokens.clear();
  }

  calls(route: string): RecordedRequest[] {
    const [method, path] = route.split(' ');
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** The answers given to calls of `METHOD /path`, with their status (the refusals included). */
  readonly answers: Array<{ route: string; status: number; body: unknown }> = [];

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      json,
    };
    this.requests.push(recorded);

    const routeKey = `${recorded.method} ${recorded.path.replace(/\/flight-orders\/.+$/, '/flight-orders/:id')}`;
    const fault = this.faults.get(routeKey)?.shift();
    if (fault?.status) {
      const injected = recorded.path.startsWith('/3.1/')
        ? { request_id: 'injected', errors: [{ id: 'injected', message: `HTTP ${fault.status}` }] }
        : { errors: [{ status: fault.status, code: 141, title: 'SYSTEM ERROR HAS OCCURRED' }] };
      return this.send(res, [fault.status, injected], fault.headers);
    }

    const answer = this.route(recorded);
    this.answers.push({ route: routeKey, status: answer[0], body: answer[1] });
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (!res.destroyed) this.send(res, answer);
  }

  private route(r: RecordedRequest): Answer {
    if (r.path === '/v1/security/oauth2/token') return this.token(r);
    if (/^\/v[12]\//.test(r.path)) return this.amadeus(r);
    if (r.path.startsWith('/3.1/')) return this.booking(r);
    return [404, { errors: [{ status: 404, code: 38196, title: 'Resource not found' }] }];
  }

  // ---- Amadeus ---------------------------------------------------------------------------------

  /** Authorization v1, POST /security/oauth2/token. */
  private token(r: RecordedRequest): Answer {
    const error = (status: number, error: string, description: string, code: number): Answer => [
      status,
      {
        error,
        error_description: description,
        code,
        title: error === 'invalid_client' ? 'Invalid parameters' : 'Invalid request',
      },
      'application/json',
    ];
    if (r.method !== 'POST') return error(405, 'invalid_request', 'Only POST is allowed', 38189);
    // requestBody: application/x-www-form-urlencoded only.
    if (r.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return error(400, 'invalid_request', 'Mandatory grant_type form parameter missing', 38187);
    }
    const form = new URLSearchParams(r.body);
    // Required: grant_type, client_id, client_secret.
    for (const field of ['grant_type', 'client_id', 'client_secret']) {
      if (!form.get(field))
        return error(400, 'invalid_request', `Mandatory ${field} form parameter missing`, 38187);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return error(400, 'unsupported_grant_type', 'Only client_credentials value is allowed', 38187);
    }
    if (
      form.get('client_id') !== FakeTravelApis.CLIENT_ID ||
      form.get('client_secret') !== FakeTravelApis.CLIENT_SECRET
    ) {
      return error(401, 'invalid_client', 'Client credentials are invalid', 38187);
    }
    const accessToken = `token-${++this.tokensIssued}`;
    this.validTokens.add(accessToken);
    // AmadeusOAuth2Token, as its example.
    return [
      200,
      {
        type: 'amadeusOAuth2Token',
        username: 'dev@example.com',
        application_name: 'test',
        client_id: FakeTravelApis.CLIENT_ID,
        token_type: 'Bearer',
        access_token: accessToken,
        expires_in: this.tokenLifetimeSeconds,
        state: 'approved',
        scope: '',
      },
      'application/json',
    ];
  }

  private amadeus(r: RecordedRequest): Answer {
    const token = /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1];
    if (!token || !this.validTokens.has(token)) {
      return amadeusError(
        401,
        38190,
        'Invalid access token',
        'The access token provided in the Authorization header is invalid',
      );
    }
    const order = /^\/v1\/booking\/flight-orders\/([^/]+)$/.exec(r.path);
    if (r.path === '/v2/shopping/flight-offers') {
      return r.method === 'GET' ? this.searchFlights(r) : amadeusMethodNotAllowed();
    }
    if (r.path === '/v1/shopping/flight-offers/pricing') {
      return r.method === 'POST' ? this.priceFlights(r) : amadeusMethodNotAllowed();
    }
    if (r.path === '/v1/booking/flight-orders') {
      return r.method === 'POST' ? this.createOrder(r) : amadeusMethodNotAllowed();
    }
    if (order) {
      if (r.method === 'GET') return this.getOrder(decodeURIComponent(order[1]));
      if (r.method === 'DELETE') return this.deleteOrder(decodeURIComponent(order[1]));
      return amadeusMethodNotAllowed();
    }
    return amadeusError(404, 38196, 'Resource not found', `${r.path} is not an operation`);
  }

  /** Flight Offers Search v2, GET /shopping/flight-offers. */
  private searchFlights(r: RecordedRequest): Answer {
    const q = r.query;
    const missing = ['originLocationCode', 'destinationLocationCode', 'departureDate', 'adults'].find(
      (p) => !q.get(p),
    );
    if (missing)
      return amadeusError(400, 32171, 'MANDATORY DATA MISSING', `${missing} is required`, {
        parameter: missing,
      });
    const invalid = [
      !IATA.test(q.get('originLocationCode')!) && 'originLocationCode',
      !IATA.test(q.get('destinationLocationCode')!) && 'destinationLocationCode',
      !DATE.test(q.get('departureDate')!) && 'departureDate',
      !/^[1-9]$/.test(q.get('adults')!) && 'adults',
      q.has('currencyCode') && !CURRENCY.test(q.get('currencyCode')!) && 'currencyCode',
      q.has('max') && !/^\d+$/.test(q.get('max')!) && 'max',
    ].find(Boolean);
    if (invalid)
      return amadeusError(400, 477, 'INVALID FORMAT', `${invalid} has an invalid format`, {
        parameter: invalid,
      });
    const date = q.get('departureDate')!;
    const adults = Number(q.get('adults'));
    const currency = q.get('currencyCode') ?? this.accountCurrency;
    if (q.get('originLocationCode') !== 'JFK' || q.get('destinationLocationCode') !== 'LHR') {
      return [200, { meta: { count: 0 }, data: [] }, AMADEUS_JSON];
    }
    const data = ITINERARIES.map((itinerary, index) => {
      const total = money(itinerary.perAdult * BigInt(adults));
      const offer = {
        type: 'flight-offer',
        id: String(index + 1),
        source: 'GDS',
        instantTicketingRequired: false,
        nonHomogeneous: false,
        oneWay: false,
        lastTicketingDate: date,
        numberOfBookableSeats: 9,
        itineraries: [
          {
            duration: 'PT7H10M',
            segments: itinerary.segments.map((s, n) => ({
              ...s,
              departure: { ...s.departure, at: `${date}${s.departure.at}` },
              arrival: { ...s.arrival, at: `${nextDay(date)}${s.arrival.at}` },
              id: String(n + 1),
              numberOfStops: 0,
            })),
          },
        ],
        price: { currency, total, base: total, grandTotal: total },
        validatingAirlineCodes: [itinerary.segments[0].carrierCode],
        travelerPricings: Array.from({ length: adults }, (_, t) => ({
          travelerId: String(t + 1),
          fareOption: 'STANDARD',
          travelerType: 'ADULT',
          price: { currency, total: money(itinerary.perAdult), base: money(itinerary.perAdult) },
          // FlightOffer.travelerPricings[]: `fareDetailsBySegment` (each with `segmentId`) is required.
          fareDetailsBySegment: itinerary.segments.map((_, n) => ({
            segmentId: String(n + 1),
            cabin: 'ECONOMY',
            fareBasis: 'O2TR24',
            class: 'O',
          })),
        })),
      };
      this.searchedOffers.set(JSON.stringify(offer), offer);
      return offer;
    });
    return [200, { meta: { count: data.length }, data, dictionaries: {} }, AMADEUS_JSON];
  }

  /** Flight Offers Price v1, POST /shopping/flight-offers/pricing. */
  private priceFlights(r: RecordedRequest): Answer {
    // Parameter `getOverride`: header X-HTTP-Method-Override, required, GET.
    if (r.headers['x-http-method-override'] !== 'GET') {
      return amadeusError(400, 32171, 'MANDATORY DATA MISSING', 'X-HTTP-Method-Override: GET is required', {
        parameter: 'X-HTTP-Method-Override',
      });
    }
    const media = this.amadeusMediaType(r);
    if (media) return media;
    const data = (r.json as Loose)?.data;
    // Get_Price_Query: `data` required; FlightOfferPricingIn: `type`, `flightOffers` (1..6) required;
    // FlightOffer: `type`, `id` required.
    if (!isObject(data) || !isString(data.type) || !Array.isArray(data.flightOffers)) {
      return amadeusError(
        400,
        32171,
        'MANDATORY DATA MISSING',
        'data.type and data.flightOffers are required',
        {
          pointer: '/data',
        },
      );
    }
    const offers = data.flightOffers as Loose[];
    if (
      offers.length < 1 ||
      offers.length > 6 ||
      !offers.every((o) => isObject(o) && isString(o.type) && isString(o.id))
    ) {
      return amadeusError(
        400,
        477,
        'INVALID FORMAT',
        'flightOffers must hold 1 to 6 flight offers with type and id',
        {
          pointer: '/data/flightOffers',
        },
      );
    }
    const searched = this.searchedOffers.get(JSON.stringify(offers[0]));
    if (!searched) {
      return amadeusError(
        400,
        4926,
        'INVALID DATA RECEIVED',
        'The flight offer was not returned by a search',
        {
          pointer: '/data/flightOffers[0]',
        },
      );
    }
    const total = money(minorOf(searched.price.grandTotal) + this.pricingDelta);
    const priced = { ...searched, price: { ...searched.price, total, grandTotal: total } };
    this.pricedOffers.set(JSON.stringify(priced), priced);
    return [
      200,
      {
        data: {
          type: 'flight-offers-pricing',
          flightOffers: [priced],
          bookingRequirements: {
            ...this.bookingRequirements,
            travelerRequirements: priced.travelerPricings.map((p: Loose, i: number) => ({
              travelerId: p.travelerId,
              ...(this.travelerRequirements[i] ?? this.travelerRequirements[0]),
            })),
          },
        },
      },
      AMADEUS_JSON,
    ];
  }

  /** Flight Create Orders v1, POST /booking/flight-orders. */
  private createOrder(r: RecordedRequest): Answer {
    const media = this.amadeusMediaType(r);
    if (media) return media;
    const data = (r.json as Loose)?.data;
    const invalid = (detail: string, pointer: string) =>
      amadeusError(400, 477, 'INVALID FORMAT', detail, { pointer });
    // FlightOrder: `type` and `flightOffers` (1..6) required; `travelers` 1..18.
    if (!isObject(data) || !isString(data.type) || !Array.isArray(data.flightOffers)) {
      return amadeusError(
        400,
        32171,
        'MANDATORY DATA MISSING',
        'data.type and data.flightOffers are required',
        {
          pointer: '/data',
        },
      );
    }
    const offers = data.flightOffers as Loose[];
    if (offers.length < 1 || offers.length > 6)
      return invalid('flightOffers must hold 1 to 6 offers', '/data/flightOffers');
    // A flight order books a priced offer, as Flight Offers Price answered it.
    const priced = this.pricedOffers.get(JSON.stringify(offers[0]));
    if (!priced) {
      return amadeusError(400, 37200, 'PRICE DISCREPANCY', 'The flight offer is not one that was priced', {
        pointer: '/data/flightOffers[0]',
      });
    }
    const travelers = data.travelers as Loose[];
    if (!Array.isArray(travelers) || travelers.length < 1 || travelers.length > 18) {
      return invalid('travelers must hold 1 to 18 travelers', '/data/travelers');
    }
    const ids = priced.travelerPricings.map((p: Loose) => p.travelerId).sort();
    if (JSON.stringify(travelers.map((t) => t?.id).sort()) !== JSON.stringify(ids)) {
      return amadeusError(
        400,
        32171,
        'MANDATORY DATA MISSING',
        'one traveler per travelerPricings travelerId',
        {
          pointer: '/data/travelers',
        },
      );
    }
    for (const [i, t] of travelers.entries()) {
      const at = `/data/travelers[${i}]`;
      const travelerError = travelerFormat(t);
      if (travelerError) return invalid(travelerError, `${at}`);
      // Flight Offers Price `bookingRequirements`: what the pricing said the order needs.
      const needs = this.travelerRequirements[ids.indexOf(t.id)] ?? this.travelerRequirements[0] ?? {};
      if (needs.dateOfBirthRequired && !t.dateOfBirth) {
        return amadeusError(400, 32171, 'MANDATORY DATA MISSING', 'dateOfBirth is required', {
          pointer: `${at}/dateOfBirth`,
        });
      }
      if (needs.genderRequired && !t.gender) {
        return amadeusError(400, 32171, 'MANDATORY DATA MISSING', 'gender is required', {
          pointer: `${at}/gender`,
        });
      }
    }
    const phoneNeeded =
      this.bookingRequirements.mobilePhoneNumberRequired || this.bookingRequirements.phoneNumberRequired;
    if (phoneNeeded && !travelers.some((t) => t.contact?.phones?.length)) {
      return amadeusError(400, 32171, 'MANDATORY DATA MISSING', 'a mobile phone number is required', {
        pointer: '/data/travelers[0]/contact/phones',
      });
    }
    if (this.bookingRequirements.emailAddressRequired && !travelers.some((t) => t.contact?.emailAddress)) {
      return amadeusError(400, 32171, 'MANDATORY DATA MISSING', 'an email address is required', {
        pointer: '/data/travelers[0]/contact/emailAddress',
      });
    }
    // Remarks.general: GeneralRemark `subType` (enum GeneralRemarkType) and `text` required.
    const remarks = (data.remarks as Loose)?.general ?? [];
    if (
      !Array.isArray(remarks) ||
      !remarks.every((g: Loose) => GENERAL_REMARK_TYPES.includes(g?.subType) && isString(g?.text))
    ) {
      return invalid('remarks.general need a subType and a text', '/data/remarks/general');
    }
    if (travelers.some((t) => t.name?.lastName === 'Soldout')) {
      return amadeusError(400, 34651, 'SEGMENT SELL FAILURE', 'Could not sell segment 1');
    }
    const total = money(minorOf(priced.price.grandTotal) + this.orderDelta);
    const booked = { ...priced, price: { ...priced.price, total, grandTotal: total } };
    const n = this.flightOrders.length + 1;
    const order: FlightOrder = {
      id: `eJzTd9f3NjIJdzUBAAtXAmA${n}`,
      reference: `QVH2B${n}`,
      travelers,
      remarks: data.remarks,
      flightOffers: [booked],
      deleted: false,
    };
    this.flightOrders.push(order);
    return [201, { data: this.orderData(order) }, AMADEUS_JSON];
  }

  /** Flight Order Management v1, GET /booking/flight-orders/{flight-orderId}. */
  private getOrder(id: string): Answer {
    const order = this.flightOrders.find((o) => o.id === id && !o.deleted);
    if (!order)
      return amadeusError(404, 1797, 'NOT FOUND', 'order not found', { parameter: 'flight-orderId' });
    return [200, { data: this.orderData(order) }, AMADEUS_JSON];
  }

  /** Flight Order Management v1, DELETE /booking/flight-orders/{flight-orderId}: 204, no body. */
  private deleteOrder(id: string): Answer {
    const order = this.flightOrders.find((o) => o.id === id && !o.deleted);
    if (!order)
      return amadeusError(404, 1797, 'NOT FOUND', 'order not found', { parameter: 'flight-orderId' });
    order.deleted = true;
    return [204, null];
  }

  private orderData(order: FlightOrder): Loose {
    return {
      type: 'flight-order',
      id: order.id,
      associatedRecords: [
        {
          reference: order.reference,
          creationDate: '2099-01-01T00:00:00.000',
          originSystemCode: 'GDS',
          flightOfferId: '1',
        },
      ],
      flightOffers: order.flightOffers,
      travelers: order.travelers,
      remarks: order.remarks,
    };
  }

  /** The resource operations `consumes: application/vnd.amadeus+json`. */
  private amadeusMediaType(r: RecordedRequest): Answer | undefined {
    if (r.headers['content-type']?.split(';')[0].trim() !== AMADEUS_JSON) {
      return amadeusError(415, 477, 'INVALID FORMAT', `Content-Type must be ${AMADEUS_JSON}`);
    }
    if (r.json === undefined) return amadeusError(400, 477, 'INVALID FORMAT', 'The body is not JSON');
    return undefined;
  }

  // ---- Booking.com -----------------------------------------------------------------------------

  private booking(r: RecordedRequest): Answer {
    // security: BearerAuth.
    if (r.headers.authorization !== `Bearer ${FakeTravelApis.BOOKING_TOKEN}`) {
      return demandError(401, 'unauthorized', 'Missing or invalid bearer token');
    }
    // Parameter X-Affiliate-Id: header, required, integer.
    const affiliate = r.headers['x-affiliate-id'];
    if (!isString(affiliate) || !/^\d+$/.test(affiliate)) {
      return demandError(
        400,
        'missing_parameter',
        'X-Affiliate-Id header is required and must be an integer',
      );
    }
    if (affiliate !== FakeTravelApis.AFFILIATE_ID)
      return demandError(401, 'unauthorized', 'Unknown affiliate id');
    const operations: Record<string, (body: Loose) => Answer> = {
      '/3.1/accommodations/search': (b) => this.searchStays(b),
      '/3.1/orders/preview': (b) => this.preview(b),
      '/3.1/orders/create': (b) => this.createHotelOrder(b),
      '/3.1/orders/details': (b) => this.orderDetails(b),
      '/3.1/orders/details/accommodations': (b) => this.accommodationDetails(b),
      '/3.1/orders/cancel': (b) => this.cancelHotelOrder(b),
    };
    const operation = operations[r.path];
    if (!operation) return demandError(404, 'not_found', 'Unknown endpoint');
    // Every operation is a POST with an `application/json` request body.
    if (r.method !== 'POST') return demandError(405, 'method_not_allowed', 'Only POST is allowed');
    if (r.headers['content-type']?.split(';')[0].trim() !== 'application/json') {
      return demandError(415, 'unsupported_media_type', 'The body must be application/json');
    }
    if (!isObject(r.json)) return demandError(400, 'invalid_request', 'The body must be a JSON object');
    return operation(r.json);
  }

  /** /accommodations/search (AccommodationsSearchInput). */
  private searchStays(b: Loose): Answer {
    // required: booker, checkin, checkout, guests.
    const missing = ['booker', 'checkin', 'checkout', 'guests'].find((f) => b[f] === undefined);
    if (missing) return demandError(400, 'missing_parameter', `${missing} is required`);
    const invalid = [
      bookerError(b.booker),
      !DATE.test(b.checkin) && 'checkin must be a date',
      !DATE.test(b.checkout) && 'checkout must be a date',
      guestsError(b.guests),
      b.city !== undefined && !Number.isInteger(b.city) && 'city must be an integer',
      b.airport !== undefined &&
        !(isString(b.airport) && IATA.test(b.airport)) &&
        'airport must match ^[A-Z]{3}$',
      b.currency !== undefined &&
        !(isString(b.currency) && CURRENCY.test(b.currency)) &&
        'currency must match ^[A-Z]{3}$',
      b.payment !== undefined &&
        !(
          isObject(b.payment) &&
          (b.payment.timing === undefined ||
            ['pay_at_the_property', 'pay_online'].includes(b.payment.timing as string))
        ) &&
        'payment.timing must be pay_at_the_property or pay_online',
      b.extras !== undefined &&
        !(
          Array.isArray(b.extras) && b.extras.every((e: unknown) => e === 'extra_charges' || e === 'products')
        ) &&
        'extras must be extra_charges or products',
    ].find(Boolean);
    if (invalid) return demandError(400, 'invalid_parameter', invalid);
    if (b.city !== PARIS_CITY_ID) return [200, { request_id: 'r1', data: [], next_page: null }];
    const nights = BigInt(nightsBetween(b.checkin, b.checkout));
    const products = b.extras?.includes('products');
    return [
      200,
      {
        request_id: 'r1',
        data: HOTELS.map((hotel) => {
          const cheapest = hotel.products[0].perNight * nights;
          return {
            id: hotel.id,
            currency: 'EUR',
            price: {
              base: Number(money(cheapest)),
              book: Number(money(cheapest)),
              total: Number(money(cheapest)),
            },
            ...(products && {
              products: hotel.products.map((p) => ({
                id: p.id,
                number_of_adults: p.adults,
                children: [],
                policies: {
                  payment: {
                    timings: this.paymentTimings.map((t) => (t === 'pay_at_the_property' ? t : 'pay_online')),
                  },
                },
                price: {
                  base: Number(money(p.perNight * nights)),
                  book: Number(money(p.perNight * nights)),
                  total: Number(money(p.perNight * nights)),
                },
              })),
            }),
            url: hotel.url,
          };
        }),
        next_page: null,
      },
    ];
  }

  /** /orders/preview (OrdersPreviewInput). */
  private preview(b: Loose): Answer {
    // required: booker, accommodation.
    if (b.booker === undefined || b.accommodation === undefined) {
      return demandError(400, 'missing_parameter', 'booker and accommodation are required');
    }
    const a = b.accommodation;
    const invalid = [
      bookerError(b.booker),
      b.currency !== undefined &&
        !(isString(b.currency) && CURRENCY.test(b.currency)) &&
        'currency must match ^[A-Z]{3}$',
      !isObject(a) && 'accommodation must be an object',
      isObject(a) && !isInt(a.id, 1) && 'accommodation.id must be an integer >= 1',
      isObject(a) && !DATE.test(a.checkin as string) && 'accommodation.checkin must be a date',
      isObject(a) && !DATE.test(a.checkout as string) && 'accommodation.checkout must be a date',
      isObject(a) &&
        !(
          Array.isArray(a.products) &&
          a.products.every(
            (p: Loose) =>
              isObject(p) &&
              isString(p.id) &&
              (p.allocation === undefined ||
                (isObject(p.allocation) && isInt(p.allocation.number_of_adults, 1))),
          )
        ) &&
        'accommodation.products[] need an id and allocation.number_of_adults >= 1',
    ].find(Boolean);
    if (invalid) return demandError(400, 'invalid_parameter', invalid);
    const hotel = HOTELS.find((h) => h.id === a.id);
    const chosen = (a.products as Loose[]).map((p) => ({
      p,
      product: hotel?.products.find((h) => h.id === p.id),
    }));
    if (
      !hotel ||
      chosen.some(({ p, product }) => !product || (p.allocation?.number_of_adults ?? 0) > product.adults)
    ) {
      return demandError(400, 'product_not_available', 'The product is not available for this allocation');
    }
    const nights = BigInt(nightsBetween(a.checkin, a.checkout));
    const total = chosen.reduce((sum, { product }) => sum + product!.perNight * nights, 0n);
    const orderToken = `order-token-${this.previews.size + 1}`;
    this.previews.set(orderToken, {
      accommodation: hotel.id,
      total,
      timings: this.paymentTimings,
      methodRequired: this.paymentMethodRequired,
    });
    const amount = (minor: bigint) => ({
      accommodation_currency: Number(money(minor)),
      booker_currency: this.convertsToBookerCurrency ? Number(money(minor)) : null,
    });
    const timing = (name: string) =>
      this.paymentTimings.includes(name)
        ? {
            [name]: {
              dates: [{ at: a.checkin, price: amount(total) }],
              method_required: this.paymentMethodRequired,
              methods: { cards: [1, 2], wallet: false },
            },
          }
        : {};
    return [
      200,
      {
        request_id: 'r2',
        data: {
          accommodation: {
            id: hotel.id,
            currency: {
              accommodation: 'EUR',
              booker: this.convertsToBookerCurrency ? (b.currency ?? 'EUR') : null,
            },
            general_policies: {
              payment: {
                ...timing('pay_online_now'),
                ...timing('pay_online_later'),
                ...timing('pay_at_the_property'),
              },
            },
            price: { base: amount(total), chargeable_online: amount(total), total: amount(total) },
            products: chosen.map(({ product }) => ({
              id: product!.id,
              price: { total: amount(product!.perNight * nights) },
            })),
          },
          order_token: orderToken,
        },
      },
    ];
  }

  /** /orders/create (OrderCreateInput). */
  private createHotelOrder(b: Loose): Answer {
    // required: booker, order_token, payment.
    const missing = ['booker', 'order_token', 'payment'].find((f) => b[f] === undefined);
    if (missing) return demandError(400, 'missing_parameter', `${missing} is required`);
    const booker = b.booker;
    const invalid = [
      !isString(b.order_token) && 'order_token must be a string',
      // OrderCreateBookerInput: required address, email, name, telephone.
      !isObject(booker) && 'booker must be an object',
      isObject(booker) &&
        ['address', 'email', 'name', 'telephone'].find((f) => booker[f] === undefined) &&
        `booker.${['address', 'email', 'name', 'telephone'].find((f) => booker[f] === undefined)} is required`,
      isObject(booker) &&
        booker.address !== undefined &&
        !(
          isObject(booker.address) &&
          isString(booker.address.country) &&
          COUNTRY.test(booker.address.country)
        ) &&
        'booker.address.country is required and must match ^[a-z]{2}$',
      isObject(booker) &&
        booker.email !== undefined &&
        !isString(booker.email) &&
        'booker.email must be a string',
      isObject(booker) &&
        booker.telephone !== undefined &&
        !isString(booker.telephone) &&
        'booker.telephone must be a string',
      isObject(booker) &&
        booker.name !== undefined &&
        !(isObject(booker.name) && isString(booker.name.first_name) && isString(booker.name.last_name)) &&
        'booker.name needs first_name and last_name',
      isObject(booker) &&
        booker.language !== undefined &&
        !(isString(booker.language) && LANGUAGE.test(booker.language)) &&
        'booker.language must match ^[a-z]{2}(-[a-z]{2})?$',
      // OrderCreatePaymentInput: required timing, enum.
      !(
        isObject(b.payment) &&
        ['pay_at_the_property', 'pay_online_later', 'pay_online_now'].includes(b.payment.timing as string)
      ) && 'payment.timing is required: pay_at_the_property, pay_online_later or pay_online_now',
      isObject(b.payment) &&
        b.payment.method !== undefined &&
        !['airplus', 'card', 'wallet'].includes(b.payment.method as string) &&
        'payment.method must be airplus, card or wallet',
      // OrderCreateAccommodationInput.products[]: `id` required; guests[]: `email`, `name` required.
      b.accommodation !== undefined &&
        !(
          isObject(b.accommodation) &&
          (b.accommodation.label === undefined || isString(b.accommodation.label)) &&
          (b.accommodation.products === undefined ||
            (Array.isArray(b.accommodation.products) &&
              b.accommodation.products.every(
                (p: Loose) =>
                  isObject(p) &&
                  isString(p.id) &&
                  (p.guests === undefined ||
                    (Array.isArray(p.guests) &&
                      p.guests.every((g: Loose) => isString(g?.email) && isString(g?.name)))),
              )))
        ) &&
        'accommodation.products[] need an id, and guests an email and a name',
    ].find(Boolean);
    if (invalid) return demandError(400, 'invalid_parameter', invalid as string);
    const preview = this.previews.get(b.order_token);
    if (!preview) return demandError(400, 'invalid_order_token', 'The order token is unknown or expired');
    // The timing must be one the preview's general_policies.payment offered, with a method if required.
    if (!preview.timings.includes(b.payment.timing)) {
      return demandError(400, 'invalid_payment_timing', `${b.payment.timing} is not offered for this order`);
    }
    if (preview.methodRequired && !b.payment.method) {
      return demandError(400, 'missing_payment_method', 'A payment method is required for this order');
    }
    if (booker.name.last_name === 'Soldout') return demandError(400, 'product_not_available', 'Sold out');
    const n = this.hotelOrders.length + 1;
    const order: HotelOrder = {
      id: String(900000 + n),
      reservation: 4000000 + n,
      label: b.accommodation?.label,
      status: 'booked',
      created: new Date().toISOString(),
      booker,
      payment: b.payment,
      products: b.accommodation?.products ?? [],
      total: preview.total,
      currency: 'EUR',
    };
    this.hotelOrders.push(order);
    this.previews.delete(b.order_token);
    // 200: data.accommodation.{order, pincode, reservation}.
    return [
      200,
      {
        request_id: 'r3',
        data: {
          accommodation: { order: order.id, pincode: '1234', reservation: order.reservation },
          payment: { receipt_url: `https://secure.booking.com/payment_receipt.html?bn=${order.reservation}` },
        },
      },
    ];
  }

  /** /orders/details: oneOf by updated/created/start/end (`currency` required), orders, reservations, page. */
  private orderDetails(b: Loose): Answer {
    if (b.page !== undefined) {
      return isString(b.page)
        ? [200, { request_id: 'r4', data: [], metadata: { next_page: null, total_results: 0 } }]
        : demandError(400, 'invalid_parameter', 'page must be a string');
    }
    const window = b.created ?? b.updated;
    if (!isObject(window)) {
      return demandError(
        400,
        'missing_parameter',
        'one of created, updated, start, end, orders, reservations or page is required',
      );
    }
    if (!(isString(b.currency) && CURRENCY.test(b.currency))) {
      return demandError(400, 'missing_parameter', 'currency is required and must match ^[A-Z]{3}$');
    }
    // OrderDetailsDatetimeFilterInput: `from` required, date-time.
    if (
      !isString(window.from) ||
      !DATE_TIME.test(window.from) ||
      (window.to !== undefined && !(isString(window.to) && DATE_TIME.test(window.to)))
    ) {
      return demandError(
        400,
        'invalid_parameter',
        'created.from (required) and created.to must be date-times',
      );
    }
    // The document's prose: a window of at most 7 days.
    const from = Date.parse(window.from);
    const to = window.to === undefined ? from + 7 * 86_400_000 : Date.parse(window.to as string);
    if (to < from || to - from > 7 * 86_400_000) {
      return demandError(400, 'invalid_parameter', 'The created window must be at most 7 days');
    }
    if (
      b.services !== undefined &&
      !(
        Array.isArray(b.services) &&
        b.services.every((s: unknown) => ['accommodations', 'cars', 'flights'].includes(s as string))
      )
    ) {
      return demandError(400, 'invalid_parameter', 'services must be accommodations, cars or flights');
    }
    const rows = this.hotelOrders
      .filter((o) => Date.parse(o.created) >= from && Date.parse(o.created) <= to)
      .map((o) => ({
        id: o.id,
        accommodations: { inventory: { third_party: false, type: 'sell' }, reservation: o.reservation },
        affiliate: Number(FakeTravelApis.AFFILIATE_ID),
        booker: o.booker,
        created: o.created,
        currency: o.currency,
        price: { commissionable: Number(money(o.total)), total: Number(money(o.total)) },
        status: o.status,
        updated: o.created,
      }));
    return [200, { request_id: 'r4', data: rows, metadata: { next_page: null, total_results: rows.length } }];
  }

  /** /orders/details/accommodations: oneOf `{ orders[] }` (maxItems 100) or `{ reservations[] }`. */
  private accommodationDetails(b: Loose): Answer {
    const byOrders = Array.isArray(b.orders) && b.orders.length <= 100 && b.orders.every(isString);
    const byReservations =
      Array.isArray(b.reservations) &&
      b.reservations.length <= 100 &&
      b.reservations.every((r: unknown) => isInt(r));
    if (byOrders === byReservations) {
      return demandError(
        400,
        'invalid_parameter',
        'give either orders (strings, at most 100) or reservations (integers)',
      );
    }
    if (b.currency !== undefined && !(isString(b.currency) && CURRENCY.test(b.currency))) {
      return demandError(400, 'invalid_parameter', 'currency must match ^[A-Z]{3}$');
    }
    const rows = this.hotelOrders
      .filter((o) => (byOrders ? b.orders.includes(o.id) : b.reservations.includes(o.reservation)))
      .map((o) => ({
        id: o.id,
        accommodation: HOTELS[0].id,
        checkin: '2099-12-24',
        currency: { accommodation: 'EUR', booker: 'EUR' },
        label: o.label,
        price: {
          total: { accommodation_currency: Number(money(o.total)), booker_currency: Number(money(o.total)) },
        },
        reservation: o.reservation,
        status: o.status,
      }));
    return [200, { request_id: 'r5', data: rows }];
  }

  /** /orders/cancel (OrdersCancelInput): `order` and `reason` required. */
  private cancelHotelOrder(b: Loose): Answer {
    if (!isString(b.order) || !isString(b.reason)) {
      return demandError(400, 'missing_parameter', 'order and reason are required strings');
    }
    const order = this.hotelOrders.find((o) => o.id === b.order);
    if (!order) return demandError(400, 'invalid_order', 'Unknown order');
    if (order.status !== 'booked')
      return demandError(400, 'order_not_cancellable', `The order is ${order.status}`);
    order.status = 'cancelled_by_guest';
    return [200, { request_id: 'r6', data: { status: 'successful' } }];
  }

  private send(
    res: ServerResponse,
    [status, body, contentType]: Answer,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': contentType ?? 'application/json', ...headers });
    res.end(body === null ? undefined : JSON.stringify(body));
  }
}

/** Flight Create Orders `GeneralRemarkType`. */
const GENERAL_REMARK_TYPES = [
  'GENERAL_MISCELLANEOUS',
  'CONFIDENTIAL',
  'INVOICE',
  'QUALITY_CONTROL',
  'BACKOFFICE',
  'FULFILLMENT',
  'ITINERARY',
  'TICKETING_MISCELLANEOUS',
  'TOUR_CODE',
];

/** Flight Create Orders `Traveler` (Stakeholder, Contact, Phone): what is wrong with one, if anything. */
function travelerFormat(t: Loose): string | undefined {
  if (!isObject(t) || !isString(t.id)) return 'a traveler needs an id';
  const name = t.name as Loose;
  if (!isObject(name) || !isString(name.firstName) || !isString(name.lastName)) {
    return 'name.firstName and name.lastName are required';
  }
  // Stakeholder.dateOfBirth: format date; gender: StakeholderGender.
  if (t.dateOfBirth !== undefined && !(isString(t.dateOfBirth) && DATE.test(t.dateOfBirth)))
    return 'dateOfBirth must be a date';
  if (
    t.gender !== undefined &&
    !['MALE', 'FEMALE', 'UNSPECIFIED', 'UNDISCLOSED'].includes(t.gender as string)
  ) {
    return 'gender must be MALE, FEMALE, UNSPECIFIED or UNDISCLOSED';
  }
  const contact = t.contact as Loose;
  if (contact !== undefined && !isObject(contact)) return 'contact must be an object';
  const phones = contact?.phones;
  if (phones !== undefined) {
    if (!Array.isArray(phones) || phones.length > 3) return 'contact.phones holds at most 3 phones';
    for (const phone of phones) {
      // Phone.deviceType: PhoneDeviceType; number: [0-9]{1,15}; countryCallingCode: digits, as its
      // description shows it ("1" for US, "371" for Latvia; its pattern [0-9+]{2,5} would refuse "1").
      if (phone.deviceType !== undefined && !['MOBILE', 'LANDLINE', 'FAX'].includes(phone.deviceType))
        return 'phone.deviceType is not a PhoneDeviceType';
      if (!(isString(phone.number) && /^[0-9]{1,15}$/.test(phone.number)))
        return 'phone.number must be 1 to 15 digits';
      if (!(isString(phone.countryCallingCode) && /^[0-9]{1,3}$/.test(phone.countryCallingCode))) {
        return 'phone.countryCallingCode must be the digits of a country calling code';
      }
    }
  }
  return undefined;
}

function amadeusError(
  status: number,
  code: number,
  title: string,
  detail: string,
  source?: Record<string, string>,
): Answer {
  return [status, { errors: [{ status, code, title, detail, ...(source && { source }) }] }, AMADEUS_JSON];
}

function amadeusMethodNotAllowed(): Answer {
  return amadeusError(405, 4, 'METHOD NOT ALLOWED', 'The method is not allowed on this resource');
}

function demandError(status: number, id: string, message: string): Answer {
  return [status, { request_id: 'fake', errors: [{ id, message }] }];
}

/** Booker (search) / OrdersPreviewBookerOutput (preview): required country ^[a-z]{2}$ and platform. */
function bookerError(booker: Loose): string | false {
  if (!isObject(booker)) return 'booker must be an object';
  if (!(isString(booker.country) && COUNTRY.test(booker.country)))
    return 'booker.country is required and must match ^[a-z]{2}$';
  if (!['android', 'desktop', 'ios', 'mobile', 'tablet'].includes(booker.platform as string)) {
    return 'booker.platform is required: android, desktop, ios, mobile or tablet';
  }
  return false;
}

/** AccommodationsGuests: required number_of_adults, number_of_rooms (>= 1); allocation[] number_of_adults. */
function guestsError(guests: Loose): string | false {
  if (!isObject(guests)) return 'guests must be an object';
  if (!isInt(guests.number_of_adults, 1) || !isInt(guests.number_of_rooms, 1)) {
    return 'guests.number_of_adults and guests.number_of_rooms are required integers >= 1';
  }
  if (
    guests.allocation !== undefined &&
    !(
      Array.isArray(guests.allocation) &&
      guests.allocation.every((a: Loose) => isObject(a) && isInt(a.number_of_adults, 1))
    )
  ) {
    return 'guests.allocation[] needs number_of_adults >= 1';
  }
  return false;
}

function minorOf(decimal: string): bigint {
  const [units, cents = ''] = decimal.split('.');
  return BigInt(units) * 100n + BigInt(cents.padEnd(2, '0').slice(0, 2));
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function nightsBetween(checkIn: string, checkOut: string): number {
  return Math.round((Date.parse(checkOut) - Date.parse(checkIn)) / 86_400_000);
}
