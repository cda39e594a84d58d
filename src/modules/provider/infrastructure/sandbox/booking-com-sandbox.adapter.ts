import { type HotelSearch, isCalendarDate, type Offer } from '../../domain/travel-provider';
import { choiceGuard, isIntBetween } from '../offer-id';
import { SandboxAdapter } from './sandbox-adapter';
import { type SandboxBookings, stableNumber } from './sandbox-bookings';

const HOTELS = ['Grand Hotel', 'City Lodge', 'Riverside Suites'] as const;
const DAY_MS = 86_400_000;

/** The search, and which of its hotels was chosen. */
interface StayChoice extends Omit<HotelSearch, 'kind'> {
  hotel: number;
}

const isStayChoice = choiceGuard<StayChoice>(
  (s) =>
    /^[A-Z]{3}$/.test(s.city) &&
    isCalendarDate(s.checkIn) &&
    isCalendarDate(s.checkOut) &&
    s.checkOut > s.checkIn &&
    isIntBetween(s.guests, 1, 30) &&
    isIntBetween(s.hotel, 0, HOTELS.length - 1),
);

/** Deterministic Booking.com stand-in: prices per room and night, two guests a room. */
export class BookingComSandboxAdapter extends SandboxAdapter<HotelSearch, StayChoice> {
  constructor(bookings: SandboxBookings, offerIdKey: Buffer) {
    super(
      {
        name: 'Booking.com',
        type: 'hotel',
        prefix: 'bkg-sbx',
        codeLength: 10,
        isChoice: isStayChoice,
        start: (choice) => ({ date: choice.checkIn, verb: 'starts' }),
        // The first traveller is the booker, whose telephone Booking.com requires.
        travelers: (choice) => ({ travelers: { min: 1, max: choice.guests }, requiredFields: [['phone']] }),
      },
      bookings,
      offerIdKey,
    );
  }

  protected choices(criteria: HotelSearch): StayChoice[] {
    const { city, checkIn, checkOut, guests } = criteria;
    return HOTELS.map((_, hotel) => ({ city, checkIn, checkOut, guests, hotel }));
  }

  protected quote(choice: StayChoice): Omit<Offer, 'id'> {
    const nights = Math.round((Date.parse(choice.checkOut) - Date.parse(choice.checkIn)) / DAY_MS);
    const rooms = Math.ceil(choice.guests / 2);
    const perNight = 8_000 + stableNumber(`${choice.city}${choice.hotel}`, 12_000) + choice.hotel * 4_500;
    return {
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
