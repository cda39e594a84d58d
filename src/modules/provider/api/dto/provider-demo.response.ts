import { ApiProperty } from '@nestjs/swagger';
import { OfferResponse } from './offer.response';

export class HandlerDemoResponse {
  @ApiProperty({ example: 'FlightBookingHandler' }) class: string;
  @ApiProperty({ example: 'Amadeus' }) injected_provider: string;
  @ApiProperty({ type: [OfferResponse] }) results: OfferResponse[];
}

export class ContextualBindingDemo {
  @ApiProperty() explanation: string;
  @ApiProperty({ type: HandlerDemoResponse }) flight_handler: HandlerDemoResponse;
  @ApiProperty({ type: HandlerDemoResponse }) hotel_handler: HandlerDemoResponse;
}

export class ProviderDemoResponse {
  @ApiProperty({ type: ContextualBindingDemo }) contextual_binding_demo: ContextualBindingDemo;
}
