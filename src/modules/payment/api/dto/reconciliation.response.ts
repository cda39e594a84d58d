import { ApiProperty } from '@nestjs/swagger';

export class ReconciliationCheckResponse {
  @ApiProperty({ example: 'wallet_balance_equals_ledger' }) name: string;
  @ApiProperty() ok: boolean;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'The rows that break the invariant (at most 100), e.g. `{ wallet_id, balance, ledger_sum }`; money and counts ' +
      'are integers',
  })
  details: Array<Record<string, unknown>>;
}

export class ReconciliationResponse {
  @ApiProperty({ description: 'Every check holds' }) ok: boolean;
  @ApiProperty({ format: 'date-time' }) checked_at: string;
  @ApiProperty({ type: [ReconciliationCheckResponse] }) checks: ReconciliationCheckResponse[];
}
