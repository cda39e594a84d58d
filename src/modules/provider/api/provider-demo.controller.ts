import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../shared/http/auth';
import { ApiProblems } from '../../../shared/http/problem-details';
import { ProviderDemoService } from '../application/provider-demo.service';
import { toOfferResponse } from './dto/offer.response';
import { ProviderDemoResponse } from './dto/provider-demo.response';

@ApiTags('travel')
@Controller('api/provider-demo')
export class ProviderDemoController {
  constructor(private readonly demo: ProviderDemoService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Contextual provider binding, shown live (public)',
    description:
      'Runs a flight search (JFK to LHR) through FlightBookingHandler and a hotel search (PAR) through ' +
      'HotelBookingHandler, 30 days from today, and shows which adapter each handler was given.',
  })
  @ApiOkResponse({ type: ProviderDemoResponse })
  @ApiProblems({
    502: 'A provider could not be reached (`provider_unavailable`)',
  })
  async show(): Promise<ProviderDemoResponse> {
    const { explanation, flight, hotel } = await this.demo.run();
    const handler = (demo: typeof flight) => ({
      class: demo.className,
      injected_provider: demo.providerName,
      results: demo.results.map(toOfferResponse),
    });
    return {
      contextual_binding_demo: {
        explanation,
        flight_handler: handler(flight),
        hotel_handler: handler(hotel),
      },
    };
  }
}
