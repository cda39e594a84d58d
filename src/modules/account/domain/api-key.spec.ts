import { createHash } from 'crypto';
import { generateApiKey, hashApiKey, sameHash } from './api-key';

describe('API key hashes', () => {
  it('are the SHA-256 hex digest of the UTF-8 key', () => {
    const key = `${generateApiKey()}é`;
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key, 'utf8').digest('hex'));
  });

  it('compare equal only when every character is equal', () => {
    const a = hashApiKey(generateApiKey());
    expect(sameHash(a, a.slice())).toBe(true);
    const lastChanged = a.slice(0, -1) + (a.endsWith('0') ? '1' : '0');
    const firstChanged = (a.startsWith('0') ? '1' : '0') + a.slice(1);
    expect(sameHash(lastChanged, a)).toBe(false);
    expect(sameHash(firstChanged, a)).toBe(false);
    expect(sameHash(a.slice(0, -1), a)).toBe(false);
    expect(sameHash('', a)).toBe(false);
  });
});
