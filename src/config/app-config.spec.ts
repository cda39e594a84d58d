import { ConfigValidationError, loadConfig } from './app-config';

const base = {
  DATABASE_URL: 'postgres://u@localhost:5432/db',
  REDIS_URL: 'redis://localhost:6379',
  ADMIN_API_KEY: 'a'.repeat(20),
  WEBHOOK_SECRET: 'b'.repeat(20),
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(base)).toMatchObject({
      PORT: 3000,
      HOLD_TTL_SECONDS: 120,
      ORDER_PAYMENT_TTL_SECONDS: 900,
      IDEMPOTENCY_TTL_SECONDS: 86400,
      PRODUCT_CACHE_TTL_SECONDS: 2,
      PROVIDER_MODE: 'sandbox',
      ROLE: 'all',
    });
  });

  it('reads numbers from strings', () => {
    expect(loadConfig({ ...base, HOLD_TTL_SECONDS: '5', RATE_LIMIT_PER_MINUTE: '0' })).toMatchObject({
      HOLD_TTL_SECONDS: 5,
      RATE_LIMIT_PER_MINUTE: 0,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['ROLE', 'scheduler'],
    ['PROVIDER_MODE', 'prod'],
    ['HOLD_TTL_SECONDS', '0'],
    ['DATABASE_URL', 'mysql://x'],
    ['RATE_LIMIT_PER_MINUTE', '-1'],
  ])('names the bad variable %s', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(
      new RegExp(`${name}:.*got "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`),
    );
  });

  it('names a missing required variable', () => {
    const { ADMIN_API_KEY: _omit, ...rest } = base;
    expect(() => loadConfig(rest)).toThrow(/ADMIN_API_KEY:.*not set/);
  });
});
