import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventRecorder } from '../../event/application/event-recorder';
import { AdminPaymentResponse } from './dto/admin-payment.dto';

/** Events about payments show them as the admin's payment list does (GET /api/admin/payments). */
@Injectable()
export class PaymentEventsPresenter implements OnModuleInit {
  constructor(private readonly recorder: EventRecorder) {}

  onModuleInit(): void {
    this.recorder.presentWith('payment', AdminPaymentResponse.of);
  }
}
