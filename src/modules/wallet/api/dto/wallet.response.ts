import { ApiProperty } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import { PageMeta } from '../../../../shared/http/pagination';
import { available, type Wallet, type WalletTransaction } from '../../domain/wallet';
import { isoTime } from '../../../../shared/time/iso-time';

export class WalletResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) account_id: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: 10000, description: 'Minor units posted (credits minus debits), never negative' })
  balance: number;
  @ApiProperty({ example: 2500, description: 'Minor units held by pending authorizations (0 .. balance)' })
  held: number;
  @ApiProperty({
    example: 7500,
    description: '`balance - held`: what debits, transfers and new authorizations may take, never negative',
  })
  available: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static of(wallet: Wallet): WalletResponse {
    return {
      id: wallet.id,
      account_id: wallet.accountId,
      currency: wallet.currency,
      balance: toJsonAmount(wallet.balance),
      held: toJsonAmount(wallet.held),
      available: toJsonAmount(available(wallet)),
      created_at: isoTime(wallet.createdAt),
      updated_at: isoTime(wallet.updatedAt),
    };
  }
}

export class WalletTransactionResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) wallet_id: string;
  @ApiProperty({ enum: ['credit', 'debit'] }) type: 'credit' | 'debit';
  @ApiProperty({ example: 300 }) amount: number;
  @ApiProperty({ example: 10000 }) balance_before: number;
  @ApiProperty({ example: 9700 }) balance_after: number;
  @ApiProperty({ type: String, nullable: true, example: 'Coffee' }) description: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'order',
    description: 'What moved the money (`order`, `refund`, `booking`, …); null for a direct credit or debit',
  })
  reference_type: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Id of that resource' }) reference_id:
    string | null;
  @ApiProperty({ type: String, nullable: true }) idempotency_key: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static of(t: WalletTransaction): WalletTransactionResponse {
    return {
      id: t.id,
      wallet_id: t.walletId,
      type: t.type,
      amount: toJsonAmount(t.amount),
      balance_before: toJsonAmount(t.balanceBefore),
      balance_after: toJsonAmount(t.balanceAfter),
      description: t.description,
      reference_type: t.reference?.type ?? null,
      reference_id: t.reference?.id ?? null,
      idempotency_key: t.idempotencyKey?.key ?? null,
      created_at: isoTime(t.createdAt),
    };
  }
}

export class WalletPage extends PageMeta {
  @ApiProperty({ type: [WalletResponse], description: 'Newest first' })
  data: WalletResponse[];
}

export class WalletTransactionPage extends PageMeta {
  @ApiProperty({ type: [WalletTransactionResponse], description: 'Newest first' })
  data: WalletTransactionResponse[];
}
