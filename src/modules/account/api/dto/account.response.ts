import { ApiProperty } from '@nestjs/swagger';
import type { CreatedAccount } from '../../application/create-account.service';

export class CreatedAccountResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Alice' }) name: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The customer API key. Shown only in this response; store it now. `null` in an idempotent replay: ' +
      'the key is never stored in plain text.',
    example: 'cwk_…',
  })
  api_key: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;

  static of({ account, apiKey }: CreatedAccount): CreatedAccountResponse {
    return {
      id: account.id,
      name: account.name,
      api_key: apiKey,
      created_at: account.createdAt.toISOString(),
    };
  }
}

export class MeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Alice' }) name: string;
  @ApiProperty({ enum: ['admin', 'customer'] }) role: 'admin' | 'customer';
}
