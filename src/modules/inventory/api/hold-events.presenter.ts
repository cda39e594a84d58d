import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventRecorder } from '../../event/application/event-recorder';
import { HoldResponse } from './dto/hold.response';

/** Events about holds show them as GET /api/holds/{id} does. */
@Injectable()
export class HoldEventsPresenter implements OnModuleInit {
  constructor(private readonly recorder: EventRecorder) {}

  onModuleInit(): void {
    this.recorder.presentWith('hold', HoldResponse.from);
  }
}
