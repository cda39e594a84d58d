import { createHmac } from 'crypto';
import { WebhookSignature } from './webhook-signature';

const rawKey = Buffer.from('0123456789abcdef0123456789abcdef');
const secret = `whsec_${rawKey.toString('base64')}`;
const body =
  '{"type":"payment.succeeded","data":{"payment_id":"p1","order_id":"o1","amount":100,"currency":"USD"}}';
/** The instant every case runs at: the library reads the process clock, which the spec pins here. */
const AT = new Date('2030-01-01T00:00:00Z');
const now = () => Math.floor(AT.getTime() / 1000);

/** Computed independently of the library, straight from the Standard Webhooks spec. */
function specSignature(key: Buffer, id: string, ts: number, payload: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${ts}.${payload}`).digest('base64')}`;
}

describe('WebhookSignature', () => {
  beforeEach(() => jest.useFakeTimers({ now: AT }));
  afterEach(() => jest.useRealTimers());

  const verifier = new WebhookSignature(secret);
  const headers = (id: string, ts: number, signature: string) => ({
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signature,
  });

  it('accepts a signature made per the spec with the base64-decoded whsec_ key', () => {
    const ts = now();
    expect(
      verifier.verify(Buffer.from(body), headers('msg_1', ts, specSignature(rawKey, 'msg_1', ts, body))),
    ).toBeNull();
  });

  it('accepts any matching entry of several (secret rotation)', () => {
    const ts = now();
    const old = specSignature(Buffer.from('an-old-secret-that-was-rotated!!'), 'msg_2', ts, body);
    const current = specSignature(rawKey, 'msg_2', ts, body);
    expect(verifier.verify(Buffer.from(body), headers('msg_2', ts, `${old} ${current}`))).toBeNull();
  });

  it('uses the UTF-8 bytes of a secret without the whsec_ prefix', () => {
    const plain = new WebhookSignature('plain-secret-ümlaut-0123');
    const ts = now();
    const signature = specSignature(Buffer.from('plain-secret-ümlaut-0123', 'utf8'), 'msg_3', ts, body);
    expect(plain.verify(Buffer.from(body), headers('msg_3', ts, signature))).toBeNull();
  });

  it.each([
    [
      'a tampered body',
      (ts: number) => [
        Buffer.from(body.replace('100', '1')),
        headers('m', ts, specSignature(rawKey, 'm', ts, body)),
      ],
    ],
    [
      'another id',
      (ts: number) => [Buffer.from(body), headers('other', ts, specSignature(rawKey, 'm', ts, body))],
    ],
    [
      'a wrong key',
      (ts: number) => [
        Buffer.from(body),
        headers('m', ts, specSignature(Buffer.from('x'.repeat(32)), 'm', ts, body)),
      ],
    ],
    [
      'a v2 entry only',
      (ts: number) => [
        Buffer.from(body),
        headers('m', ts, specSignature(rawKey, 'm', ts, body).replace('v1,', 'v2,')),
      ],
    ],
    [
      'a stale timestamp (-10 min)',
      (ts: number) => [Buffer.from(body), headers('m', ts - 600, specSignature(rawKey, 'm', ts - 600, body))],
    ],
    [
      'a future timestamp (+10 min)',
      (ts: number) => [Buffer.from(body), headers('m', ts + 600, specSignature(rawKey, 'm', ts + 600, body))],
    ],
  ])('rejects %s', (_name, make) => {
    const [raw, h] = make(now()) as [Buffer, Record<string, string>];
    expect(verifier.verify(raw, h)).toEqual(expect.any(String));
  });

  it('accepts timestamps up to 300 s away', () => {
    const ts = now() - 290;
    expect(
      verifier.verify(Buffer.from(body), headers('m', ts, specSignature(rawKey, 'm', ts, body))),
    ).toBeNull();
  });

  it('rejects missing headers and a non-numeric timestamp', () => {
    expect(verifier.verify(Buffer.from(body), {})).toMatch(/missing/);
    expect(
      verifier.verify(Buffer.from(body), {
        'webhook-id': 'm',
        'webhook-timestamp': 'soon',
        'webhook-signature': 'v1,x',
      }),
    ).toMatch(/unix/);
  });

  it('signs exactly as the spec says', () => {
    const ts = now();
    expect(verifier.sign('msg_9', ts, body)).toBe(specSignature(rawKey, 'msg_9', ts, body));
  });
});
