export const BOOKING_REPOSITORY = Symbol('BOOKING_REPOSITORY');
export const BOOKING_JOBS = Symbol('BOOKING_JOBS');
export const BOOKING_SWEEP = Symbol('BOOKING_SWEEP');

/** The Bull queue whose jobs (id = booking id) call the provider for a pending booking. */
export const BOOKING_QUEUE = 'bookings';
