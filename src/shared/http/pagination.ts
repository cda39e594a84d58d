import { createHmac, timingSafeEqual } from 'crypto';
import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, isUUID, Max, MaxLength, Min } from 'class-validator';
import { AppConfig } from '../../config/app-config';
import { signingKey } from '../../config/signing-key';
import { ValidationFailedError } from './http-errors';
import { IsSafeText } from './hostile-input';
import type { Cursor } from '../domain/cursor';

/**
 * A query-string integer written as plain decimal digits, else left as it came for IsInt to refuse:
 * Number() would also read `0x10`, `1e1`, ` 5` and `+5`. Leading zeros are decimal digits too (`05` is 5).
 */
const plainDecimal = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;

export class PaginationQuery {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 100,
    default: 20,
    description: 'Page size, as plain decimal digits',
  })
  @IsOptional()
  @Transform(plainDecimal)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    description: "Opaque cursor from the previous page's `next_cursor`, signed: only as it was issued",
    maxLength: 512,
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @IsSafeText()
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;

export class PageMeta {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  next_cursor: string | null;
}

// Only what the codec writes: a four-digit-year UTC timestamp that PostgreSQL can hold, and a UUID.
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const notIssued = () =>
  new ValidationFailedError([{ field: 'cursor', message: 'is not a cursor returned by this API' }]);

/**
 * List cursors, signed with a key from SIGNING_SECRET: `base64url(JSON [created_at, id]).base64url(MAC)`.
 * A cursor is accepted only as it was issued, byte for byte: one made up in the right shape, edited,
 * or spelled another way (base64url decoding skips padding and stray characters) is a 400.
 */
@Injectable()
export class CursorCodec {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = signingKey(config.SIGNING_SECRET, 'list cursors');
  }

  encode(cursor: Cursor): string {
    const payload = Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString(
      'base64url',
    );
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  decode(value: string | undefined): Cursor | undefined {
    if (value === undefined) return undefined;
    const dot = value.indexOf('.');
    if (dot < 0) throw notIssued();
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.mac(payload);
    if (
      given.length !== expected.length ||
      !timingSafeEqual(given, expected) ||
      `${payload}.${given.toString('base64url')}` !== value
    ) {
      throw notIssued();
    }
    // Signed by this service, so well-formed; checked all the same, as a bad one would reach SQL.
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw notIssued();
    }
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [at, id] = parsed as unknown[];
      if (typeof at === 'string' && CURSOR_TIME.test(at) && typeof id === 'string' && isUUID(id, 'all')) {
        const createdAt = new Date(at);
        if (!Number.isNaN(createdAt.getTime()) && createdAt.toISOString() === at) return { createdAt, id };
      }
    }
    throw notIssued();
  }

  /** A page from `limit + 1` rows fetched newest first. */
  page<R extends { createdAt: Date; id: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const last = items[items.length - 1];
    return { data: items.map(map), next_cursor: more && last ? this.encode(last) : null };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
  }
}
