import { Inject, Injectable } from '@nestjs/common';
import { RECONCILIATION_CHECKS } from '../payment.tokens';
import type { ReconciliationChecks, ReconciliationReport } from './reconciliation-checks';

@Injectable()
export class ReconcileService {
  constructor(@Inject(RECONCILIATION_CHECKS) private readonly checks: ReconciliationChecks) {}

  execute(): Promise<ReconciliationReport> {
    return this.checks.run();
  }
}
