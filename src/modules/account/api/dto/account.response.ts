import { ApiProperty } from '@nestjs/swagger';
import type { CreatedAccount } from '../../application/create-account.service';
import { PageMeta } from '../../../../shared/http/pagination';
import { SecretField } from '../../../../shared/idempotency/secret-field';
import type { Account } from '../../domain/account';
import { isoTime } from '../../../../shared/time/iso-time';

export class CreatedAccountResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Alice' }) name: string;
  @SecretField({
    description:
      'The customer API key: store it now. A lost key is replaced with POST /api/accounts/{id}/api-keys.',
    example: 'cwk_…',
  })
  api_key: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static of({ account, apiKey }: CreatedAccount): CreatedAccountResponse {
    return {
      id: account.id,
      name: account.name,
      api_key: apiKey,
      created_at: isoTime(account.createdAt),
    };
  }
}

export class MeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Alice' }) name: string;
  @ApiProperty({ enum: ['admin', 'customer'] }) role: 'admin' | 'customer';
}

export class AccountResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Alice' }) name: string;
  @ApiProperty({ enum: ['admin', 'customer'] }) role: 'admin' | 'customer';
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static from(account: Account): AccountResponse {
    return {
      id: account.id,
      name: account.name,
      role: account.role,
      created_at: isoTime(account.createdAt),
    };
  }
}

export class AccountPageResponse extends PageMeta {
  @ApiProperty({ type: [AccountResponse] }) data: AccountResponse[];
}

export class ApiKeyResponse {
  @SecretField({
    description: 'The new key. Every older key of the account stops working within 5 seconds.',
    example: 'cwk_…',
  })
  api_key: string | null;

  static of(this: void, apiKey: string): ApiKeyResponse {
    return { api_key: apiKey };
  }
}
