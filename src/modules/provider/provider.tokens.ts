/** One token per consumer context: each handler receives the adapter bound to its own token. */
export const FLIGHT_PROVIDER = Symbol('FLIGHT_PROVIDER');
export const HOTEL_PROVIDER = Symbol('HOTEL_PROVIDER');

/** The adapters themselves, each built for the configured PROVIDER_MODE. */
export const AMADEUS_ADAPTER = Symbol('AMADEUS_ADAPTER');
export const BOOKING_COM_ADAPTER = Symbol('BOOKING_COM_ADAPTER');
