import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventRecorder } from '../../event/application/event-recorder';
import { AuthorizationResponse } from './dto/authorization.response';

/** Events about authorizations show them as GET /api/authorizations/{id} does. */
@Injectable()
export class AuthorizationEventsPresenter implements OnModuleInit {
  constructor(private readonly recorder: EventRecorder) {}

  onModuleInit(): void {
    this.recorder.presentWith('authorization', AuthorizationResponse.of);
  }
}
