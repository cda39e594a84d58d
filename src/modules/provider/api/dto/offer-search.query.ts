import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { isCalendarDate } from '../../domain/travel-provider';
import { BOOKING_COM_CITY_IDS } from '../../infrastructure/booking-com/booking-com-cities';

const IATA = /^[A-Z]{3}$/;
const IATA_SCHEMA = { pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 };
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** A YYYY-MM-DD calendar date, today (UTC) or later. */
function IsFutureDate(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isFutureDate',
      validator: {
        validate: (value) => isCalendarDate(value) && value >= new Date().toISOString().slice(0, 10),
        defaultMessage: () => 'must be a date (YYYY-MM-DD) that is not in the past',
      },
    },
    options,
  );
}

/** A date after another field's date, at most `maxDays` later. */
function IsDateAfter(field: string, maxDays: number, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isDateAfter',
      validator: {
        validate: (value, args) => {
          const other = (args?.object as Record<string, unknown>)[field];
          if (!isCalendarDate(value) || !isCalendarDate(other)) return false;
          const days = (Date.parse(value) - Date.parse(other)) / 86_400_000;
          return days >= 1 && days <= maxDays;
        },
        defaultMessage: () => `must be a date (YYYY-MM-DD) 1 to ${maxDays} days after ${field}`,
      },
    },
    options,
  );
}

/** A date `days` from now (UTC): examples that stay in the future whenever the document is read. */
const daysFromNow = (days: number): string =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export class FlightOffersQuery {
  @ApiProperty({
    example: 'JFK',
    description: 'IATA airport or city code (3 capital letters)',
    ...IATA_SCHEMA,
  })
  @IsString()
  @Matches(IATA, { message: 'must be an IATA code of 3 capital letters' })
  origin: string;

  @ApiProperty({
    example: 'LHR',
    description: 'IATA airport or city code (3 capital letters)',
    ...IATA_SCHEMA,
  })
  @IsString()
  @Matches(IATA, { message: 'must be an IATA code of 3 capital letters' })
  destination: string;

  @ApiProperty({ example: daysFromNow(30), format: 'date', description: 'Today or later' })
  @IsFutureDate()
  departure_date: string;

  @ApiProperty({ example: 1, minimum: 1, maximum: 9 })
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(9)
  adults: number;
}

export class HotelOffersQuery {
  @ApiProperty({
    example: 'PAR',
    description:
      'IATA city code (3 capital letters). With live providers, Booking.com searches by its own city ids, ' +
      `which the service knows for ${Object.keys(BOOKING_COM_CITY_IDS).join(', ')}; another city is a 422 ` +
      '`offer_unavailable`',
    ...IATA_SCHEMA,
  })
  @IsString()
  @Matches(IATA, { message: 'must be an IATA code of 3 capital letters' })
  city: string;

  @ApiProperty({ example: daysFromNow(30), format: 'date', description: 'Today or later' })
  @IsFutureDate()
  check_in: string;

  @ApiProperty({ example: daysFromNow(33), format: 'date', description: '1 to 90 nights after check_in' })
  @IsDateAfter('check_in', 90)
  check_out: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: 30 })
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(30)
  guests: number;
}
