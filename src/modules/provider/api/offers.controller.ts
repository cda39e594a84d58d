import { applyDecorators, Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../shared/http/auth';
import { ApiProblems } from '../../../shared/http/problem-details';
import { FlightBookingHandler } from '../application/flight-booking.handler';
import { HotelBookingHandler } from '../application/hotel-booking.handler';
import { FlightOffersQuery, HotelOffersQuery } from './dto/offer-search.query';
import { OffersResponse, toOfferResponse } from './dto/offer.response';

/** A public offer search: its answer, and the problems any provider's search may give. */
const OfferSearchRoute = () =>
  applyDecorators(
    Public(),
    ApiOkResponse({ type: OffersResponse }),
    ApiProblems({
      400: 'A query parameter is missing, malformed or unknown (`validation_failed`, naming the field)',
      422: 'The provider rejected the search (`offer_unavailable`)',
      502: 'The provider cannot be reached or failed (`provider_unavailable`)',
    }),
  );

@ApiTags('travel')
@Controller('api')
export class OffersController {
  constructor(
    private readonly flights: FlightBookingHandler,
    private readonly hotels: HotelBookingHandler,
  ) {}

  @Get('flights/offers')
  @OfferSearchRoute()
  @ApiOperation({
    summary: 'Search flight offers (public)',
    description:
      'Prices in minor units; offers from Amadeus. The sandbox prices in EUR: book from a EUR wallet ' +
      '(`POST /api/wallets` with `{"currency": "EUR"}`).',
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
  @OfferSearchRoute()
  @ApiOperation({
    summary: 'Search hotel offers (public)',
    description:
      'Prices in minor units; offers from Booking.com. The sandbox prices in EUR: book from a EUR wallet ' +
      '(`POST /api/wallets` with `{"currency": "EUR"}`).',
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
