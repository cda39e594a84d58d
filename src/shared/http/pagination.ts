import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, isUUID, Max, MaxLength, Min } from 'class-validator';
import { ValidationFailedError } from './http-errors';
import { IsSafeText } from './hostile-input';
import type { Cursor } from '../domain/cursor';

export class PaginationQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    description: "Opaque cursor from the previous page's `next_cursor`",
    maxLength: 512,
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @IsSafeText()
  cursor?: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

// Only what encodeCursor writes: a four-digit-year UTC timestamp that PostgreSQL can hold, and a UUID.
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function decodeCursor(value: string | undefined): Cursor | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [at, id] = parsed as unknown[];
      if (typeof at === 'string' && CURSOR_TIME.test(at) && typeof id === 'string' && isUUID(id, 'all')) {
        const createdAt = new Date(at);
        if (!Number.isNaN(createdAt.getTime()) && createdAt.toISOString() === at) return { createdAt, id };
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationFailedError([{ field: 'cursor', message: 'is not a cursor returned by this API' }]);
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Builds a page from `limit + 1` rows fetched newest first. */
export function toPage<R extends { createdAt: Date; id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { data: items.map(map), next_cursor: more && last ? encodeCursor(last) : null };
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
