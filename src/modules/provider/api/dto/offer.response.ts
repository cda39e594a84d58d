import { ApiProperty } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import type { Offer } from '../../domain/travel-provider';

export class OfferPriceResponse {
  @ApiProperty({ example: 45231, description: 'Minor units' }) amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
}

export class OfferResponse {
  @ApiProperty({
    description: 'Pass it as `offer_id` to POST /api/bookings',
    example: 'ama-sbx.eyJvIjoiSkZLIn0',
  })
  id: string;
  @ApiProperty({ type: OfferPriceResponse }) price: OfferPriceResponse;
  /** Provider facts (route and times, or hotel and stay) follow as further fields. */
  [detail: string]: unknown;
}

export class OffersResponse {
  @ApiProperty({ example: 'Amadeus' }) provider: string;
  @ApiProperty({
    type: [OfferResponse],
    description:
      'Each offer has `id` and `price`, then provider details (route, times, hotel, stay) in snake_case',
  })
  offers: OfferResponse[];
}

export function toOfferResponse(offer: Offer): OfferResponse {
  return {
    id: offer.id,
    price: { amount: toJsonAmount(offer.price.amount), currency: offer.price.currency },
    ...offer.details,
  };
}
