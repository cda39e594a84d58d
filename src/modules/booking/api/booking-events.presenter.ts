import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventRecorder } from '../../event/application/event-recorder';
import { BookingResponse } from './dto/booking.response';

/** Events about bookings show them as GET /api/bookings/{id} does. */
@Injectable()
export class BookingEventsPresenter implements OnModuleInit {
  constructor(private readonly recorder: EventRecorder) {}

  onModuleInit(): void {
    this.recorder.presentWith('booking', BookingResponse.of);
  }
}
