import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

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

const FLIGHT_OFFERS = [
  {
    type: 'flight-offer',
    id: '1',
    source: 'GDS',
    itineraries: [
      {
        duration: 'PT7H10M',
        segments: [
          {
            departure: { iataCode: 'JFK', terminal: '7', at: '2099-12-24T18:30:00' },
            arrival: { iataCode: 'LHR', terminal: '5', at: '2099-12-25T06:40:00' },
            carrierCode: 'BA',
            number: '178',
            aircraft: { code: '777' },
          },
        ],
      },
    ],
    price: { currency: 'EUR', total: '355.34', base: '255.00', grandTotal: '355.34' },
    travelerPricings: [{ travelerId: '1', fareOption: 'STANDARD', travelerType: 'ADULT' }],
  },
  {
    type: 'flight-offer',
    id: '2',
    source: 'GDS',
    itineraries: [
      {
        duration: 'PT7H05M',
        segments: [
          {
            departure: { iataCode: 'JFK', terminal: '8', at: '2099-12-24T21:00:00' },
            arrival: { iataCode: 'LHR', terminal: '3', at: '2099-12-25T09:05:00' },
            carrierCode: 'AA',
            number: '100',
            aircraft: { code: '77W' },
          },
        ],
      },
    ],
    price: { currency: 'EUR', total: '412.00', base: '300.00', grandTotal: '412.00' },
    travelerPricings: [{ travelerId: '1', fareOption: 'STANDARD', travelerType: 'ADULT' }],
  },
];

/**
 * A local stand-in for Amadeus Self-Service and the Booking.com Demand API v3.1 that speaks their
 * request and response shapes, checks their authentication, keeps the orders it creates, and can be
 * told to fail or stall the next calls to a route.
 */
export class FakeTravelApis {
  readonly requests: RecordedRequest[] = [];
  readonly flightOrders: Array<{ id: string; reference: string; remarks: unknown; travelers: unknown }> = [];
  readonly hotelOrders: Array<{ order: string; reservation: number; label: string; status: string }> = [];
  tokensIssued = 0;
  tokenLifetimeSeconds = 1799;
  /** Booking.com price answered by orders/preview (decimal, booker currency). */
  previewTotal: number | string = 530.55;
  private validTokens = new Set<string>();
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    let json: unknown;
    try {
      json = body && req.headers['content-type']?.includes('json') ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const recorded = {
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
    if (fault?.status)
      return this.send(
        res,
        fault.status,
        { errors: [{ status: fault.status, title: 'INJECTED' }] },
        fault.headers,
      );

    const [status, answer] = this.route(recorded);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (!res.destroyed) this.send(res, status, answer);
  }

  private route(r: RecordedRequest): [number, unknown] {
    if (r.path === '/v1/security/oauth2/token') return this.token(r);
    if (r.path.startsWith('/v1/') || r.path.startsWith('/v2/')) {
      const token = /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1];
      if (!token || !this.validTokens.has(token)) {
        return [401, { errors: [{ code: 38190, title: 'Invalid access token', status: 401 }] }];
      }
      return this.amadeus(r);
    }
    if (r.path.startsWith('/3.1/')) {
      if (
        r.headers.authorization !== `Bearer ${FakeTravelApis.BOOKING_TOKEN}` ||
        r.headers['x-affiliate-id'] !== FakeTravelApis.AFFILIATE_ID
      ) {
        return [
          401,
          { request_id: 'r', errors: [{ id: 'unauthorized', message: 'Bad token or affiliate id' }] },
        ];
      }
      return this.booking(r);
    }
    return [404, { errors: [{ title: 'NOT FOUND' }] }];
  }

  private token(r: RecordedRequest): [number, unknown] {
    const form = new URLSearchParams(r.body);
    const ok =
      r.headers['content-type'] === 'application/x-www-form-urlencoded' &&
      form.get('grant_type') === 'client_credentials' &&
      form.get('client_id') === FakeTravelApis.CLIENT_ID &&
      form.get('client_secret') === FakeTravelApis.CLIENT_SECRET;
    if (!ok)
      return [
        401,
        { error: 'invalid_client', error_description: 'Client credentials are invalid', code: 38187 },
      ];
    const accessToken = `token-${++this.tokensIssued}`;
    this.validTokens.add(accessToken);
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
    ];
  }

  private amadeus(r: RecordedRequest): [number, unknown] {
    if (r.method === 'GET' && r.path === '/v2/shopping/flight-offers') {
      const q = r.query;
      if (
        !q.get('originLocationCode') ||
        !q.get('destinationLocationCode') ||
        !q.get('departureDate') ||
        !q.get('adults')
      ) {
        return [400, { errors: [{ status: 400, code: 32171, title: 'MANDATORY DATA MISSING' }] }];
      }
      return [200, { meta: { count: FLIGHT_OFFERS.length }, data: FLIGHT_OFFERS, dictionaries: {} }];
    }
    if (r.method === 'POST' && r.path === '/v1/shopping/flight-offers/pricing') {
      const offer = (
        r.json as { data: { type: string; flightOffers: Array<(typeof FLIGHT_OFFERS)[number]> } }
      ).data;
      if (offer.type !== 'flight-offers-pricing' || !offer.flightOffers?.length) {
        return [400, { errors: [{ status: 400, code: 477, title: 'INVALID FORMAT' }] }];
      }
      const priced = {
        ...offer.flightOffers[0],
        price: { ...offer.flightOffers[0].price, grandTotal: '360.10', total: '360.10' },
      };
      return [200, { data: { type: 'flight-offers-pricing', flightOffers: [priced] } }];
    }
    if (r.method === 'POST' && r.path === '/v1/booking/flight-orders') {
      const data = (
        r.json as {
          data: {
            type: string;
            flightOffers: unknown[];
            travelers: Array<{ name: { lastName: string } }>;
            remarks: unknown;
          };
        }
      ).data;
      if (data.type !== 'flight-order' || !data.travelers?.length) {
        return [400, { errors: [{ status: 400, code: 477, title: 'INVALID FORMAT' }] }];
      }
      if (data.travelers[0].name.lastName === 'Soldout') {
        return [400, { errors: [{ status: 400, code: 34651, title: 'SEGMENT SELL FAILURE' }] }];
      }
      const order = {
        id: `eJzTd9f3NjIJdzUBAAtXAmA${this.flightOrders.length + 1}`,
        reference: `QVH2B${this.flightOrders.length + 1}`,
        remarks: data.remarks,
        travelers: data.travelers,
      };
      this.flightOrders.push(order);
      return [
        201,
        {
          data: {
            type: 'flight-order',
            id: order.id,
            associatedRecords: [
              {
                reference: order.reference,
                creationDate: '2099-01-01T00:00:00',
                originSystemCode: 'GDS',
                flightOfferId: '1',
              },
            ],
            flightOffers: data.flightOffers,
            travelers: data.travelers,
          },
        },
      ];
    }
    return [404, { errors: [{ title: 'NOT FOUND' }] }];
  }

  private booking(r: RecordedRequest): [number, unknown] {
    // Read loosely, as a server reads a body it has not validated yet.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body = r.json as Record<string, any>;
    switch (r.path) {
      case '/3.1/accommodations/search':
        if (!body?.booker?.country || !body.checkin || !body.checkout || !body.guests?.number_of_adults) {
          return [
            400,
            { request_id: 'r', errors: [{ id: 'missing_parameter', message: 'Required input is missing' }] },
          ];
        }
        return [
          200,
          {
            request_id: 'r1',
            data: [
              {
                id: 10507360,
                currency: 'EUR',
                price: { book: 512.3, total: 540 },
                products: [{ id: '1050736002_377311511_0_2_0', price: { book: 512.3, total: 540 } }],
                url: 'https://www.booking.com/hotel/fr/example.html',
              },
              {
                id: 10507361,
                currency: 'EUR',
                price: { book: 99, total: 99 },
                products: [],
                url: 'https://www.booking.com/x',
              },
            ],
            next_page: null,
          },
        ];
      case '/3.1/orders/preview':
        if (!body?.accommodation?.products?.[0]?.allocation) {
          return [
            400,
            { request_id: 'r', errors: [{ id: 'occupancy_mismatch', message: 'Allocation missing' }] },
          ];
        }
        return [
          200,
          {
            request_id: 'r2',
            data: {
              order_token: `order-token-${body.accommodation.products[0].id}`,
              currency: body.currency,
              accommodation: {
                id: body.accommodation.id,
                price: {
                  total: { accommodation_currency: this.previewTotal, booker_currency: this.previewTotal },
                },
              },
            },
          },
        ];
      case '/3.1/orders/create': {
        if (!body?.order_token || !body.booker?.email || !body.payment?.timing) {
          return [
            400,
            { request_id: 'r', errors: [{ id: 'missing_parameter', message: 'Required input is missing' }] },
          ];
        }
        if (body.booker.name?.last_name === 'Soldout') {
          return [400, { request_id: 'r', errors: [{ id: 'product_not_available', message: 'Sold out' }] }];
        }
        const order = {
          order: String(900000 + this.hotelOrders.length + 1),
          reservation: 4000000 + this.hotelOrders.length + 1,
          label: body.accommodation?.label,
          status: 'booked',
        };
        this.hotelOrders.push(order);
        return [
          200,
          {
            request_id: 'r3',
            data: { order: order.order, accommodation: { reservation: order.reservation, pincode: '1234' } },
          },
        ];
      }
      case '/3.1/orders/details/accommodations':
        if (!body?.created?.from) {
          return [
            400,
            { request_id: 'r', errors: [{ id: 'missing_parameter', message: 'created is required' }] },
          ];
        }
        return [200, { request_id: 'r4', data: this.hotelOrders.map((o) => ({ ...o })), next_page: null }];
      default:
        return [404, { request_id: 'r', errors: [{ id: 'not_found', message: 'Unknown endpoint' }] }];
    }
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === null ? undefined : JSON.stringify(body));
  }
}
