export const BOOKING_REPOSITORY = Symbol('BOOKING_REPOSITORY');

/** The Bull queue whose jobs (id = booking id) call the provider for a pending booking. */
export const BOOKING_QUEUE = 'bookings';
