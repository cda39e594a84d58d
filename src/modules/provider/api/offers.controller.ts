import { applyDecorators, Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../shared/http/auth';
import { ApiProblems } from '../../../shared/http/problem-details';
import { FlightBookingHandler } from '../application/flight-booking.handler';
import { HotelBookingHandler } from '../application/hotel-booking.handler';
import type { TravelBookingHandler } from '../application/travel-booking.handler';
import type { OfferSearch } from '../domain/travel-provider';
import { FlightOffersQuery, HotelOffersQuery } from './dto/offer-search.query';
import { OffersResponse, toOfferResponse } from './dto/offer.response';

/** A public search of one provider's offers: what it says, its answer and the problems it may give. */
const OfferSearchRoute = (summary: string, provider: string) =>
  applyDecorators(
    Public(),
    ApiOperation({
      summary,
      description:
        `Prices in minor units; offers from ${provider}. The sandbox prices in EUR: book from a EUR wallet ` +
        '(`POST /api/wallets` with `{"currency": "EUR"}`).',
    }),
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
  @OfferSearchRoute('Search flight offers (public)', 'Amadeus')
  flightOffers(@Query() query: FlightOffersQuery): Promise<OffersResponse> {
    const { origin, destination, departure_date: departureDate, adults } = query;
    return offersOf(this.flights, { kind: 'flight', origin, destination, departureDate, adults });
  }

  @Get('hotels/offers')
  @OfferSearchRoute('Search hotel offers (public)', 'Booking.com')
  hotelOffers(@Query() query: HotelOffersQuery): Promise<OffersResponse> {
    const { city, check_in: checkIn, check_out: checkOut, guests } = query;
    return offersOf(this.hotels, { kind: 'hotel', city, checkIn, checkOut, guests });
  }
}

async function offersOf<S extends OfferSearch>(
  handler: TravelBookingHandler<S>,
  criteria: S,
): Promise<OffersResponse> {
  const offers = await handler.search(criteria);
  return { provider: handler.providerName, offers: offers.map(toOfferResponse) };
}
