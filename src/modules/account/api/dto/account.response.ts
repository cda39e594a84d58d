import { ApiProperty } from '@nestjs/swagger';

export class CreatedAccountResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Alice' }) name: string;
  @ApiProperty({
    description: 'The customer API key. Shown only in this response; store it now.',
    example: 'cwk_…',
  })
  api_key: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class MeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Alice' }) name: string;
  @ApiProperty({ enum: ['admin', 'customer'] }) role: 'admin' | 'customer';
}
