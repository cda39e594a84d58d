import { OfferUnavailableError } from '../../domain/provider.errors';
import type {
  BookingRequest,
  HotelSearch,
  Offer,
  OfferSearch,
  ProviderBooking,
  TravelProvider,
} from '../../domain/travel-provider';
import { decodeOfferId, encodeOfferId, isCalendarDate } from '../offer-id';
import { isPastDate, SandboxBookings, stableNumber } from './sandbox-bookings';

const PREFIX = 'bkg-sbx';
const HOTELS = ['Grand Hotel', 'City Lodge', 'Riverside Suites'] as const;
const DAY_MS = 86_400_000;

interface StayChoice {
  c: string;
  i: string;
  o: string;
  g: number;
  h: number;
}

const isStayChoice = (v: unknown): v is StayChoice => {
  const s = v as StayChoice;
  return (
    typeof s === 'object' &&
    s !== null &&
    /^[A-Z]{3}$/.test(s.c) &&
    isCalendarDate(s.i) &&
    isCalendarDate(s.o) &&
    s.o > s.i &&
    Number.isInteger(s.g) &&
    s.g >= 1 &&
    s.g <= 30 &&
    Number.isInteger(s.h) &&
    s.h >= 0 &&
    s.h < HOTELS.length
  );
};

/** Deterministic Booking.com stand-in: prices per room and night, two guests a room. */
export class BookingComSandboxAdapter implements TravelProvider {
  readonly name = 'Booking.com';

  /** `offerIdKey` signs the offer ids it issues (see offer-id.ts): only those can be booked. */
  constructor(
    private readonly bookings: SandboxBookings,
    private readonly offerIdKey: Buffer,
  ) {}

  async search(criteria: OfferSearch): Promise<Offer[]> {
    if (criteria.kind !== 'hotel') throw new OfferUnavailableError('Booking.com sells stays only');
    return HOTELS.map((_, h) => this.offer(toChoice(criteria, h)));
  }

  async checkOffer(offerId: string): Promise<Offer> {
    const choice = decodeOfferId(PREFIX, offerId, isStayChoice, this.offerIdKey);
    if (isPastDate(choice.i)) throw new OfferUnavailableError(`Offer ${offerId} starts in the past`);
    return this.offer(choice);
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    await this.checkOffer(request.offerId);
    return this.bookings.book(request, 10);
  }

  findBooking(reference: string): Promise<ProviderBooking | null> {
    return this.bookings.find(reference);
  }

  cancel(providerBookingId: string): Promise<void> {
    return this.bookings.cancel(providerBookingId);
  }

  private offer(choice: StayChoice): Offer {
    const nights = Math.round((Date.parse(choice.o) - Date.parse(choice.i)) / DAY_MS);
    const rooms = Math.ceil(choice.g / 2);
    const perNight = 8_000 + stableNumber(`${choice.c}${choice.h}`, 12_000) + choice.h * 4_500;
    return {
      id: encodeOfferId(PREFIX, { ...choice }, this.offerIdKey),
      price: { amount: BigInt(perNight * nights * rooms), currency: 'EUR' },
      details: {
        hotel_name: `${HOTELS[choice.h]} ${choice.c}`,
        city: choice.c,
        check_in: choice.i,
        check_out: choice.o,
        nights,
        rooms,
        guests: choice.g,
      },
    };
  }
}

function toChoice(criteria: HotelSearch, h: number): StayChoice {
  return { c: criteria.city, i: criteria.checkIn, o: criteria.checkOut, g: criteria.guests, h };
}
