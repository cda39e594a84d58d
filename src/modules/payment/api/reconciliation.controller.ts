import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../../shared/http/auth';
import { ReconcileService } from '../application/reconcile.service';
import { ReconciliationResponse } from './dto/reconciliation.response';

@ApiTags('operations')
@Controller('api/admin')
export class ReconciliationController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Get('reconciliation')
  @AdminOnly()
  @ApiOperation({
    summary: 'Check the money and stock invariants (admin)',
    description:
      "Every wallet balance equals its ledger sum; every product's stock splits into available + reserved + sold, " +
      'reserved equals active holds plus pending orders and sold equals paid orders; no hold made two orders; no ' +
      'order was charged twice (money owed back is not a charge); no order was refunded more than it was paid (its ' +
      '`refunded_amount`, the refunds of its payment and their ledger credits agree); money of a second payment for ' +
      'a paid order is returned once (nothing while `refund_required`, all of it once `refunded`); every paid order ' +
      'shows the payment that paid it; every transfer is one debit and one credit of ' +
      "its amount, both referencing it; every wallet's `held` equals the sum of its pending authorizations; no " +
      'capture took more than its authorization, and the ledger took what the authorization says it captured; ' +
      'money is taken only by the one capture of a `captured` authorization (none after a void or an expiry). ' +
      '`details` names the rows that break a check, money and counts as integers. ' +
      'All checks read one consistent snapshot. ' +
      'The same report: `npm run reconcile -- --json` (which also runs from a checkpoint: `--since-checkpoint`).',
  })
  @ApiOkResponse({ type: ReconciliationResponse })
  async report(): Promise<ReconciliationResponse> {
    return this.reconcile.execute();
  }
}
