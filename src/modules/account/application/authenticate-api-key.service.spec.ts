import { TestClock } from '../../../../test/support/test-clock';
import type { AppConfig } from '../../../config/app-config';
import type { AccountRepository } from '../domain/account.repository';
import { hashApiKey } from '../domain/api-key';
import { API_KEY_CACHE_MS, AuthenticateApiKeyService, MAX_CACHED_KEYS } from './authenticate-api-key.service';

const GOOD_KEY = 'cwk_good-key';

function service() {
  const lookups: string[] = [];
  const clock = new TestClock();
  const accounts = {
    findByApiKeyHash: async (hash: string) => {
      lookups.push(hash);
      return hash === hashApiKey(GOOD_KEY)
        ? {
            id: '7d3c1b4e-55a4-4c59-9d1e-0c8f4f0a1b2c',
            name: 'Good',
            role: 'customer' as const,
            createdAt: new Date(clock.now()),
          }
        : null;
    },
  } as unknown as AccountRepository<never>;
  const config = { ADMIN_API_KEY: 'admin-key-0123456789' } as AppConfig;
  return { auth: new AuthenticateApiKeyService(config, accounts, clock), lookups, clock };
}

describe('AuthenticateApiKeyService', () => {
  it('knows the admin key, and nothing else, before any lookup', () => {
    const { auth, lookups } = service();
    expect(auth.known('admin-key-0123456789')).toMatchObject({ role: 'admin' });
    expect(auth.known(GOOD_KEY)).toBeUndefined();
    expect(auth.known('x'.repeat(257))).toBeNull();
    expect(lookups).toEqual([]);
  });

  it('remembers a valid key and a wrong key after one lookup each', async () => {
    const { auth, lookups } = service();
    expect(await auth.authenticate(GOOD_KEY)).toMatchObject({ name: 'Good' });
    expect(await auth.authenticate('cwk_wrong')).toBeNull();
    expect(auth.known(GOOD_KEY)).toMatchObject({ name: 'Good' });
    expect(auth.known('cwk_wrong')).toBeNull();
    await auth.authenticate(GOOD_KEY);
    await auth.authenticate('cwk_wrong');
    expect(lookups).toHaveLength(2);
  });

  it('believes a resolved key for API_KEY_CACHE_MS by the clock, then looks it up again', async () => {
    const { auth, lookups, clock } = service();
    await auth.authenticate(GOOD_KEY);
    await auth.authenticate('cwk_wrong');
    clock.advance(API_KEY_CACHE_MS - 1);
    expect(auth.known(GOOD_KEY)).toMatchObject({ name: 'Good' });
    expect(auth.known('cwk_wrong')).toBeNull();
    clock.advance(1);
    expect(auth.known(GOOD_KEY)).toBeUndefined();
    expect(auth.known('cwk_wrong')).toBeUndefined();
    // Still a hint of whose key it was, for the rate limit while it is rechecked; never for a wrong key.
    expect(auth.seenValid(GOOD_KEY)).toMatchObject({ name: 'Good' });
    expect(auth.seenValid('cwk_wrong')).toBeUndefined();
    expect(await auth.authenticate(GOOD_KEY)).toMatchObject({ name: 'Good' });
    expect(await auth.authenticate('cwk_wrong')).toBeNull();
    expect(lookups).toHaveLength(4);
  });

  it(`a flood of ${MAX_CACHED_KEYS + 1000} distinct wrong keys does not evict a valid key`, async () => {
    const { auth, lookups } = service();
    await auth.authenticate(GOOD_KEY);
    for (let i = 0; i < MAX_CACHED_KEYS + 1000; i++) await auth.authenticate(`cwk_junk_${i}`);
    expect(lookups).toHaveLength(MAX_CACHED_KEYS + 1001);
    expect(auth.known(GOOD_KEY)).toMatchObject({ name: 'Good' });
    // The newest wrong keys are still remembered, the oldest made room for them.
    expect(auth.known(`cwk_junk_${MAX_CACHED_KEYS + 999}`)).toBeNull();
    expect(auth.known('cwk_junk_0')).toBeUndefined();
  });
});
