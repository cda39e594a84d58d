import { createHmac, randomUUID } from 'crypto';
import type { AppConfig } from '../../config/app-config';
import { sandboxOfferIdKey } from '../../modules/provider/infrastructure/offer-id';
import { ValidationFailedError } from './http-errors';
import { CursorCodec } from './pagination';

const codec = (secret: string) => new CursorCodec({ SIGNING_SECRET: secret } as AppConfig);

describe('CursorCodec', () => {
  const position = { createdAt: new Date('2026-12-01T10:00:00.123Z'), id: randomUUID() };
  const ours = codec('s'.repeat(32));

  it('reads back what it wrote', () => {
    expect(ours.decode(ours.encode(position))).toEqual(position);
    expect(ours.decode(undefined)).toBeUndefined();
  });

  it('refuses a cursor signed with another SIGNING_SECRET', () => {
    const theirs = codec('t'.repeat(32)).encode(position);
    expect(() => ours.decode(theirs)).toThrow(ValidationFailedError);
  });

  it("signs with a key of its own, not the offer ids' key from the same secret", () => {
    const [payload] = ours.encode(position).split('.');
    const withOfferKey = createHmac('sha256', sandboxOfferIdKey('s'.repeat(32)))
      .update(payload)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    expect(() => ours.decode(`${payload}.${withOfferKey}`)).toThrow(ValidationFailedError);
  });

  it('pages newest first, with a next cursor only when there is more', () => {
    const rows = [3, 2, 1].map((n) => ({ createdAt: new Date(n * 1000), id: randomUUID() }));
    const page = ours.page(rows, 2, (r) => r.id);
    expect(page.data).toEqual([rows[0].id, rows[1].id]);
    expect(ours.decode(page.next_cursor as string)).toEqual(rows[1]);
    expect(ours.page(rows, 3, (r) => r.id).next_cursor).toBeNull();
  });
});
