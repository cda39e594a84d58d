import { Injectable } from '@nestjs/common';
import { countersOf } from '../../../shared/observability/metrics';

@Injectable()
export class OrderMetrics extends countersOf({
  created: ['orders_created_total', 'Orders created from holds'],
  cancelled: ['orders_cancelled_total', 'Unpaid orders cancelled before their deadline'],
  expired: ['orders_expired_total', 'Unpaid orders cancelled at their payment deadline'],
}) {}
