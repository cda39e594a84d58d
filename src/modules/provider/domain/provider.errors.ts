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

/** The provider may have booked, and cannot be asked: only a person can settle it. */
export class OutcomeUnknownError extends domainError('provider_unavailable', 'Provider unavailable') {}

/** The provider will not cancel this booking (past its deadline, already cancelled…). */
export class BookingNotCancellableError extends domainError(
  'booking_not_cancellable',
  'Booking not cancellable',
) {}

/** The priced offer needs traveller fields the request lacks; `errors` names each. */
export class TravelerDetailsRequiredError extends domainError(
  'traveler_details_required',
  'Traveler details required',
) {
  override readonly extensions: { errors: Array<{ field: string; message: string }> };

  constructor(errors: Array<{ field: string; message: string }>) {
    super(errors.map((e) => `${e.field} ${e.message}`).join('; '));
    this.extensions = { errors };
  }
}
