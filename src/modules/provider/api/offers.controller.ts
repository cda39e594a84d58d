import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../shared/http/auth';
import { ApiProblems } from '../../../shared/http/problem-details';
import { FlightBookingHandler } from '../application/flight-booking.handler';
import { HotelBookingHandler } from '../application/hotel-booking.handler';
import { FlightOffersQuery, HotelOffersQuery } from './dto/offer-search.query';
import { OffersResponse, toOfferResponse } from './dto/offer.response';

const BAD_QUERY =
  'A query parameter is missing, malformed or unknown (`validation_failed`, naming the field)';
const UNAVAILABLE = 'The provider cannot be reached or failed (`provider_unavailable`)';
const REFUSED = 'The provider rejected the search (`offer_unavailable`)';

@ApiTags('travel')
@Controller('api')
export class OffersController {
  constructor(
    private readonly flights: FlightBookingHandler,
    private readonly hotels: HotelBookingHandler,
  ) {}

  @Get('flights/offers')
  @Public()
  @ApiOperation({
    summary: 'Search flight offers (public)',
    description:
      'Prices in minor units; offers from Amadeus. The sandbox prices in EUR: book from a EUR wallet ' +
      '(`POST /api/wallets` with `{"currency": "EUR"}`).',
  })
  @ApiOkResponse({ type: OffersResponse })
  @ApiProblems({
    400: BAD_QUERY,
    422: REFUSED,
    502: UNAVAILABLE,
  })
  async flightOffers(@Query() query: FlightOffersQuery): Promise<OffersResponse> {
    const offers = await this.flights.search({
      kind: 'flight',
      origin: query.origin,
      destination: query.destination,
      departureDate: query.departure_date,
      adults: query.adults,
    });
    return { provider: this.flights.providerName, offers: offers.map(toOfferResponse) };
  }

  @Get('hotels/offers')
  @Public()
  @ApiOperation({
    summary: 'Search hotel offers (public)',
    description:
      'Prices in minor units; offers from Booking.com. The sandbox prices in EUR: book from a EUR wallet ' +
      '(`POST /api/wallets` with `{"currency": "EUR"}`).',
  })
  @ApiOkResponse({ type: OffersResponse })
  @ApiProblems({
    400: BAD_QUERY,
    422: REFUSED,
    502: UNAVAILABLE,
  })
  async hotelOffers(@Query() query: HotelOffersQuery): Promise<OffersResponse> {
    const offers = await this.hotels.search({
      kind: 'hotel',
      city: query.city,
      checkIn: query.check_in,
      checkOut: query.check_out,
      guests: query.guests,
    });
    return { provider: this.hotels.providerName, offers: offers.map(toOfferResponse) };
  }
}
