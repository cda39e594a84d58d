import { randomUUID } from 'crypto';
import type { OfferSearch, Traveler, TravelProvider } from '../domain/travel-provider';
import { AmadeusHttpAdapter } from './amadeus/amadeus-http.adapter';
import { BookingComHttpAdapter } from './booking-com/booking-com-http.adapter';
import { ProviderHttpClient } from './http/provider-http.client';
import { offerDigest, type SearchedOfferStore } from './http/searched-offers';

/** The providers' test environments, the only places `--book` books (besides a local stand-in). */
export const TEST_ENVIRONMENTS = {
  amadeus: 'https://test.api.amadeus.com',
  bookingCom: 'https://demandapi-sandbox.booking.com',
} as const;

const DAY_MS = 86_400_000;

/** What the check books for: a made-up traveller with every field a pricing may ask for. */
const TEST_TRAVELER = {
  firstName: 'Test',
  lastName: 'Traveler',
  email: 'providers-check@example.com',
  phone: '+33612345678',
  dateOfBirth: '1990-01-01',
  gender: 'undisclosed',
} as const;

/** Exit codes: every step passed; a step failed; nothing could be checked as configured. */
export const EXIT = { ok: 0, failed: 1, notChecked: 2 } as const;

/** The check keeps one search's offers in the process: it prices what it searched a moment ago. */
class InProcessOffers implements SearchedOfferStore {
  private readonly offers = new Map<string, string>();

  async keep(offer: unknown): Promise<string> {
    const json = JSON.stringify(offer);
    const key = offerDigest(json);
    this.offers.set(key, json);
    return key;
  }

  async find(key: string): Promise<unknown> {
    const json = this.offers.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as unknown);
  }
}

interface Target {
  name: string;
  baseUrl: string;
  testEnvironment: string;
  missing: string[];
  adapter: () => TravelProvider;
  search: OfferSearch;
}

/**
 * `npm run providers:check [-- --book]`: with live credentials in the environment, one search and
 * one pricing per provider, and with `--book` one booking and its cancellation (only against the
 * providers' test environments, or a stand-in on this machine), printing what each step got.
 * Returns the exit code.
 */
export async function runProvidersCheck(
  env: NodeJS.ProcessEnv,
  args: string[],
  print: (line: string) => void,
  now = Date.now(),
): Promise<number> {
  const book = args.includes('--book');
  const day = (offset: number) => new Date(now + offset * DAY_MS).toISOString().slice(0, 10);
  const currency = env.PROVIDER_CURRENCY ?? 'EUR';
  const timeoutMs = Number(env.PROVIDER_TIMEOUT_MS ?? 10_000);
  const client = (provider: string, baseUrl: string) =>
    new ProviderHttpClient({ provider, baseUrl, timeoutMs, maxAttempts: 2 });
  const targets: Target[] = [
    {
      name: 'Amadeus',
      baseUrl: env.AMADEUS_BASE_URL ?? TEST_ENVIRONMENTS.amadeus,
      testEnvironment: TEST_ENVIRONMENTS.amadeus,
      missing: ['AMADEUS_CLIENT_ID', 'AMADEUS_CLIENT_SECRET'].filter((key) => !env[key]),
      adapter: () =>
        new AmadeusHttpAdapter(
          client('Amadeus', env.AMADEUS_BASE_URL ?? TEST_ENVIRONMENTS.amadeus),
          { clientId: env.AMADEUS_CLIENT_ID as string, clientSecret: env.AMADEUS_CLIENT_SECRET as string },
          { currency, offers: new InProcessOffers() },
        ),
      search: { kind: 'flight', origin: 'JFK', destination: 'LHR', departureDate: day(30), adults: 1 },
    },
    {
      name: 'Booking.com',
      baseUrl: env.BOOKING_BASE_URL ?? TEST_ENVIRONMENTS.bookingCom,
      testEnvironment: TEST_ENVIRONMENTS.bookingCom,
      missing: ['BOOKING_API_TOKEN', 'BOOKING_AFFILIATE_ID'].filter((key) => !env[key]),
      adapter: () =>
        new BookingComHttpAdapter(
          client('Booking.com', env.BOOKING_BASE_URL ?? TEST_ENVIRONMENTS.bookingCom),
          { token: env.BOOKING_API_TOKEN as string, affiliateId: env.BOOKING_AFFILIATE_ID as string },
          { currency },
        ),
      search: { kind: 'hotel', city: 'PAR', checkIn: day(30), checkOut: day(32), guests: 1 },
    },
  ];

  if (book) {
    const production = targets.filter((t) => !isTestEnvironment(t.baseUrl, t.testEnvironment));
    if (production.length) {
      for (const t of production) {
        print(`${t.name}: --book refused: ${t.baseUrl} is not the test environment (${t.testEnvironment})`);
      }
      return EXIT.notChecked;
    }
  }

  let failed = false;
  let skipped = false;
  for (const target of targets) {
    if (target.missing.length) {
      print(`${target.name}: not checked: ${target.missing.join(' and ')} not set`);
      skipped = true;
      continue;
    }
    if (!(await checkOne(target, book, print))) failed = true;
  }
  if (failed) return EXIT.failed;
  return skipped ? EXIT.notChecked : EXIT.ok;
}

async function checkOne(target: Target, book: boolean, print: (line: string) => void): Promise<boolean> {
  const provider = target.adapter();
  const step = `${target.name} (${target.baseUrl})`;
  let current = 'search';
  try {
    const offers = await provider.search(target.search);
    print(`${step}: search ${describeSearch(target.search)}: ${offers.length} offers`);
    if (!offers.length) return false;
    const first = offers[0];
    print(`${step}: first offer ${money(first.price)} ${JSON.stringify(first.details)}`);
    current = 'pricing';
    const priced = await provider.price(first.id);
    print(
      `${step}: priced at ${money(priced.offer.price)}; travellers ${priced.travelers.min}..${priced.travelers.max}, ` +
        `required fields ${JSON.stringify(priced.requiredFields)}`,
    );
    if (!book) return true;
    current = 'booking';
    const reference = `providers-check-${randomUUID()}`;
    const made = await provider.book({
      reference,
      priced: priced.priced,
      travelers: Array.from({ length: priced.travelers.min }, (_, i) => travelerFor(i)),
    });
    print(
      `${step}: booked ${reference}: provider reference ${made.providerBookingId}, confirmation ` +
        `${made.confirmationCode}, total ${money(made.total)}`,
    );
    current = 'cancellation';
    await provider.cancel(made);
    print(`${step}: cancelled ${made.providerBookingId}`);
    return true;
  } catch (error) {
    print(`${step}: ${current} failed: ${(error as Error).message}`);
    return false;
  }
}

/** The test traveller carries every field a pricing may require, whatever `requiredFields` says. */
function travelerFor(index: number): Traveler {
  return { ...TEST_TRAVELER, firstName: `${TEST_TRAVELER.firstName}${index ? index + 1 : ''}` };
}

/** A provider's test environment, or a stand-in on this machine (which cannot book anything real). */
function isTestEnvironment(baseUrl: string, testEnvironment: string): boolean {
  const url = new URL(baseUrl);
  return (
    url.origin === new URL(testEnvironment).origin ||
    ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  );
}

function describeSearch(search: OfferSearch): string {
  return search.kind === 'flight'
    ? `${search.origin}-${search.destination} on ${search.departureDate}, ${search.adults} adult`
    : `${search.city} ${search.checkIn}..${search.checkOut}, ${search.guests} guest`;
}

function money(price: { amount: bigint; currency: string }): string {
  return `${price.amount} ${price.currency} (minor units)`;
}
