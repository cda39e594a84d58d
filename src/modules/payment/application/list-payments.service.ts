import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Cursor } from '../../../shared/domain/cursor';
import type { PaymentStatus } from '../domain/payment-status';
import type { Payment } from '../domain/payment';
import type { PaymentRepository } from '../domain/payment.repository';
import { PAYMENT_REPOSITORY } from '../payment.tokens';

@Injectable()
export class ListPaymentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository<EntityManager>,
  ) {}

  /** Newest first; `limit + 1` rows come back so that the caller can build the page. */
  execute(limit: number, status?: PaymentStatus, cursor?: Cursor): Promise<Payment[]> {
    return this.payments.listPage(this.dataSource.manager, limit, status, cursor);
  }
}
