import type { EntityManager } from 'typeorm';
import type { EventRecorder } from '../../event/application/event-recorder';
import type { EventType } from '../../event/domain/event';
import type { Booking, BookingStatus } from '../domain/booking';

/** The event of each status a booking can be moved to, in the transaction that moves it there. */
const EVENT_OF: Partial<Record<BookingStatus, EventType>> = {
  confirmed: 'booking.confirmed',
  failed: 'booking.failed',
  cancelled: 'booking.cancelled',
  action_required: 'booking.action_required',
};

/** Records the event of a booking's new status (saved in `em`'s transaction), if it has one. */
export function recordBookingChange(events: EventRecorder, em: EntityManager, booking: Booking): void {
  const type = EVENT_OF[booking.status];
  if (type)
    events.record(em, [{ type, accountId: booking.accountId, resourceId: booking.id, resource: booking }]);
}
