import { DomainError } from '../../../shared/domain/domain-error';

export class OfferUnavailableError extends DomainError {
  readonly code = 'offer_unavailable';
  readonly title = 'Offer unavailable';
}

/**
 * The provider could not be reached or answered with a transient failure; the same call may succeed
 * later. `ambiguous` marks a call that may have taken effect (a timeout after the request was sent).
 */
export class ProviderUnavailableError extends DomainError {
  readonly code = 'provider_unavailable';
  readonly title = 'Provider unavailable';

  constructor(
    detail: string,
    readonly ambiguous = false,
  ) {
    super(detail);
  }
}

/** The provider refused the booking for good: retrying cannot help. */
export class BookingRefusedError extends DomainError {
  readonly code = 'booking_refused';
  readonly title = 'Booking refused by the provider';
}
