import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type ReconciliationReport, runReconciliation } from '../infrastructure/reconciliation.checks';

@Injectable()
export class ReconcileService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  execute(): Promise<ReconciliationReport> {
    return runReconciliation(this.dataSource);
  }
}
