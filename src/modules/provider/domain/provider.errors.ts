import { domainError } from '../../../shared/domain/domain-error';

export class OfferUnavailableError extends domainError('offer_unavailable', 'Offer unavailable') {}

/**
 * The provider could not be reached or answered with a transient failure; the same call may succeed
 * later. `ambiguous` marks a call that may have taken effect (a timeout after the request was sent).
 */
export class ProviderUnavailableError extends domainError('provider_unavailable', 'Provider unavailable') {
  constructor(
    detail: string,
    readonly ambiguous = false,
  ) {
    super(detail);
  }
}

/** The provider refused the booking for good: retrying cannot help. */
export class BookingRefusedError extends domainError('booking_refused', 'Booking refused by the provider') {}
