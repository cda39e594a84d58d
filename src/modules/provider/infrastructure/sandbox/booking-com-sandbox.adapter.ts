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
  city: string;
  checkIn: string;
  checkOut: string;
  guests: number;
  hotel: number;
}

const isStayChoice = (v: unknown): v is StayChoice => {
  const s = v as StayChoice;
  return (
    typeof s === 'object' &&
    s !== null &&
    /^[A-Z]{3}$/.test(s.city) &&
    isCalendarDate(s.checkIn) &&
    isCalendarDate(s.checkOut) &&
    s.checkOut > s.checkIn &&
    Number.isInteger(s.guests) &&
    s.guests >= 1 &&
    s.guests <= 30 &&
    Number.isInteger(s.hotel) &&
    s.hotel >= 0 &&
    s.hotel < HOTELS.length
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
    return HOTELS.map((_, hotel) => this.offer(toChoice(criteria, hotel)));
  }

  async checkOffer(offerId: string): Promise<Offer> {
    const choice = decodeOfferId(PREFIX, offerId, isStayChoice, this.offerIdKey);
    if (isPastDate(choice.checkIn)) throw new OfferUnavailableError(`Offer ${offerId} starts in the past`);
    return this.offer(choice);
  }

  async book(request: BookingRequest): Promise<ProviderBooking> {
    await this.checkOffer(request.offerId);
    return this.bookings.book(request, 10);
  }

  findBooking(reference: string): Promise<ProviderBooking | null> {
    return this.bookings.find(reference);
  }

  private offer(choice: StayChoice): Offer {
    const nights = Math.round((Date.parse(choice.checkOut) - Date.parse(choice.checkIn)) / DAY_MS);
    const rooms = Math.ceil(choice.guests / 2);
    const perNight = 8_000 + stableNumber(`${choice.city}${choice.hotel}`, 12_000) + choice.hotel * 4_500;
    return {
      id: encodeOfferId(PREFIX, { ...choice }, this.offerIdKey),
      price: { amount: BigInt(perNight * nights * rooms), currency: 'EUR' },
      details: {
        hotel_name: `${HOTELS[choice.hotel]} ${choice.city}`,
        city: choice.city,
        check_in: choice.checkIn,
        check_out: choice.checkOut,
        nights,
        rooms,
        guests: choice.guests,
      },
    };
  }
}

function toChoice(criteria: HotelSearch, hotel: number): StayChoice {
  const { city, checkIn, checkOut, guests } = criteria;
  return { city, checkIn, checkOut, guests, hotel };
}
