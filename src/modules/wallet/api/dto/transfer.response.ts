import { ApiProperty } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import type { Transfer } from '../../domain/transfer';
import { isoTime } from '../../../../shared/time/iso-time';

export class TransferResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) from_wallet_id: string;
  @ApiProperty({ format: 'uuid' }) to_wallet_id: string;
  @ApiProperty({ example: 1250, description: 'Minor units' }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ type: String, nullable: true, example: 'Dinner' }) description: string | null;
  @ApiProperty({
    format: 'uuid',
    description: "The source wallet's `debit` entry (reference_type `transfer`, reference_id this id)",
  })
  debit_transaction_id: string;
  @ApiProperty({ format: 'uuid', description: "The destination wallet's `credit` entry" })
  credit_transaction_id: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static of(transfer: Transfer): TransferResponse {
    return {
      id: transfer.id,
      from_wallet_id: transfer.fromWalletId,
      to_wallet_id: transfer.toWalletId,
      amount: toJsonAmount(transfer.amount),
      currency: transfer.currency,
      description: transfer.description,
      debit_transaction_id: transfer.debitTransactionId,
      credit_transaction_id: transfer.creditTransactionId,
      created_at: isoTime(transfer.createdAt),
    };
  }
}
