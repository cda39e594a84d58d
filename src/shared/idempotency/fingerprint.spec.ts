import { canonicalJson, isValidIdempotencyKey, requestFingerprint } from './fingerprint';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('treats a missing body as null and drops undefined members', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('escapes keys and strings as JSON does', () => {
    expect(canonicalJson({ 'a"b': 'line\nbreak' })).toBe('{"a\\"b":"line\\nbreak"}');
  });
});

describe('requestFingerprint', () => {
  const body = { amount: 300, description: 'coffee' };

  it('is the same for the same request whatever the key order', () => {
    expect(requestFingerprint('POST', '/api/wallets/1/debit', body)).toBe(
      requestFingerprint('post', '/api/wallets/1/debit', { description: 'coffee', amount: 300 }),
    );
    expect(requestFingerprint('POST', '/x', {})).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when the method, the path or any value differs', () => {
    const base = requestFingerprint('POST', '/api/wallets/1/debit', body);
    expect(requestFingerprint('PUT', '/api/wallets/1/debit', body)).not.toBe(base);
    expect(requestFingerprint('POST', '/api/wallets/1/credit', body)).not.toBe(base);
    expect(requestFingerprint('POST', '/api/wallets/1/debit', { ...body, amount: 301 })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/wallets/1/debit', { ...body, amount: '300' })).not.toBe(base);
  });
});

describe('isValidIdempotencyKey', () => {
  it('is the same when a retry spells an id in the other case, and differs for any other text', () => {
    const id = '7d3c1b4e-55a4-4c59-9d1e-0c8f4f0a1b2c';
    const body = (wallet: string, description: string) => ({ to_wallet_id: wallet, description });
    expect(
      requestFingerprint('POST', `/api/wallets/${id.toUpperCase()}/debit`, body(id.toUpperCase(), 'Rent')),
    ).toBe(requestFingerprint('POST', `/api/wallets/${id}/debit`, body(id, 'Rent')));
    expect(requestFingerprint('POST', '/api/transfers', body(id, 'rent'))).not.toBe(
      requestFingerprint('POST', '/api/transfers', body(id, 'Rent')),
    );
  });

  it('accepts 1..255 printable ASCII characters', () => {
    expect(isValidIdempotencyKey('a')).toBe(true);
    expect(isValidIdempotencyKey(' ~')).toBe(true);
    expect(isValidIdempotencyKey('k'.repeat(255))).toBe(true);
  });

  it('refuses empty, too long, control and non-ASCII characters, and non-strings', () => {
    expect(isValidIdempotencyKey('')).toBe(false);
    expect(isValidIdempotencyKey('k'.repeat(256))).toBe(false);
    expect(isValidIdempotencyKey('tab\there')).toBe(false);
    expect(isValidIdempotencyKey('clé')).toBe(false);
    expect(isValidIdempotencyKey(['a', 'b'])).toBe(false);
  });
});
