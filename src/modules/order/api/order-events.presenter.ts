import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventRecorder } from '../../event/application/event-recorder';
import { OrderResponse } from './dto/order.response';

/** Events about orders show them as GET /api/orders/{id} does (with the payment they name). */
@Injectable()
export class OrderEventsPresenter implements OnModuleInit {
  constructor(private readonly recorder: EventRecorder) {}

  onModuleInit(): void {
    this.recorder.presentWith('order', OrderResponse.from);
  }
}
