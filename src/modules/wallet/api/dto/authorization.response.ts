import { ApiProperty } from '@nestjs/swagger';
import { toJsonAmount } from '../../../../shared/domain/money';
import type { AuthorizationResult } from '../../application/wallet-ledger.facade';
import type { Authorization, AuthorizationStatus } from '../../domain/authorization';
import { isoTime } from '../../../../shared/time/iso-time';

export class AuthorizationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) wallet_id: string;
  @ApiProperty({ example: 5000, description: 'Minor units held while pending' }) amount: number;
  @ApiProperty({ example: 0, description: 'Minor units a capture took (0 unless `captured`)' })
  captured_amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({
    enum: ['pending', 'captured', 'voided', 'expired'],
    description: 'pending -> captured | voided | expired, once',
  })
  status: AuthorizationStatus;
  @ApiProperty({ format: 'date-time', description: 'When a pending authorization expires' })
  expires_at: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;

  static of(a: Authorization): AuthorizationResponse {
    return {
      id: a.id,
      wallet_id: a.walletId,
      amount: toJsonAmount(a.amount),
      captured_amount: toJsonAmount(a.capturedAmount),
      currency: a.currency,
      status: a.status,
      expires_at: isoTime(a.expiresAt),
      created_at: isoTime(a.createdAt),
      updated_at: isoTime(a.updatedAt),
    };
  }

  static from(result: AuthorizationResult): AuthorizationResponse {
    return AuthorizationResponse.of(result.authorization);
  }
}
