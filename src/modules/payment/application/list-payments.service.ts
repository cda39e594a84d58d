import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Cursor } from '../../../shared/http/pagination';
import type { Payment, PaymentStatus } from '../domain/payment';
import { TypeOrmPaymentRepository } from '../infrastructure/typeorm-payment.repository';

@Injectable()
export class ListPaymentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payments: TypeOrmPaymentRepository,
  ) {}

  /** Newest first; `limit + 1` rows come back so that the caller can build the page. */
  execute(limit: number, status?: PaymentStatus, cursor?: Cursor): Promise<Payment[]> {
    return this.payments.listPage(this.dataSource.manager, limit, status, cursor);
  }
}
