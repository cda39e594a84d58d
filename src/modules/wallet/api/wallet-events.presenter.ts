import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventRecorder } from '../../event/application/event-recorder';
import { TransferResponse } from './dto/transfer.response';
import { WalletResponse } from './dto/wallet.response';

/** Events about wallets and transfers show them as GET /api/wallets/{id} and GET /api/transfers/{id} do. */
@Injectable()
export class WalletEventsPresenter implements OnModuleInit {
  constructor(private readonly recorder: EventRecorder) {}

  onModuleInit(): void {
    this.recorder.presentWith('wallet', WalletResponse.of);
    this.recorder.presentWith('transfer', TransferResponse.of);
  }
}
