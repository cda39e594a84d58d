import { ConfigValidationError, loadConfig } from './app-config';

const base = {
  DATABASE_URL: 'postgres://u@localhost:5432/db',
  REDIS_URL: 'redis://localhost:6379',
  ADMIN_API_KEY: 'a'.repeat(20),
  WEBHOOK_SECRET: 'b'.repeat(20),
  SIGNING_SECRET: 'c'.repeat(32),
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
    ['RATE_LIMIT_PER_MINUTE', '-1'],
  ])('names the bad variable %s', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(
      new RegExp(`${name}:.*got "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`),
    );
  });

  it.each([
    ['WEBHOOK_SECRET', 'whsec_!!!'],
    ['WEBHOOK_SECRET', 'short-secret'],
    ['ADMIN_API_KEY', 'short'],
    ['SIGNING_SECRET', 'a-signing-secret-of-31-characte'],
    ['DATABASE_URL', 'mysql://user:hunter2-password@x'],
  ])('names %s on one line and never echoes its value', (name, value) => {
    let message = '';
    try {
      loadConfig({ ...base, [name]: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      message = (error as Error).message;
    }
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name}: .*\\(value not shown\\)$`));
    expect(message).not.toContain(value);
    expect(message).not.toContain('\n');
  });

  it('accepts a whsec_ secret in padded base64', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    expect(loadConfig({ ...base, WEBHOOK_SECRET: secret }).WEBHOOK_SECRET).toBe(secret);
  });

  it('trusts no proxy by default and accepts addresses, ranges and the Express names', () => {
    expect(loadConfig(base).TRUST_PROXY).toBe('');
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.1, 172.16.0.0/12,loopback,::1' }).TRUST_PROXY).toBe(
      '10.0.0.1, 172.16.0.0/12,loopback,::1',
    );
    for (const bad of ['everything', '10.0.0.0/33', 'true', '10.0.0.1/8/2']) {
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY:/);
    }
  });

  it('leaves /metrics public without METRICS_TOKEN, and refuses a short or spaced one without showing it', () => {
    expect(loadConfig({ ...base, METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ ...base, METRICS_TOKEN: 'm'.repeat(16) }).METRICS_TOKEN).toBe('m'.repeat(16));
    for (const value of ['short', 'has a space in it ok']) {
      expect(() => loadConfig({ ...base, METRICS_TOKEN: value })).toThrow(
        /METRICS_TOKEN: .*printable ASCII.*\(value not shown\)/,
      );
    }
  });

  it('names a missing required variable', () => {
    const { ADMIN_API_KEY: _omit, ...rest } = base;
    expect(() => loadConfig(rest)).toThrow(/ADMIN_API_KEY:.*not set/);
  });

  it('needs a SIGNING_SECRET of its own, of at least 32 characters', () => {
    const { SIGNING_SECRET: _omit, ...rest } = base;
    expect(() => loadConfig(rest)).toThrow(/SIGNING_SECRET:.*not set/);
    expect(loadConfig({ ...base, SIGNING_SECRET: 's'.repeat(32) }).SIGNING_SECRET).toBe('s'.repeat(32));
  });

  it('needs provider credentials only when PROVIDER_MODE=live, naming each missing one', () => {
    expect(loadConfig(base)).toMatchObject({
      AMADEUS_BASE_URL: 'https://test.api.amadeus.com',
      BOOKING_BASE_URL: 'https://demandapi.booking.com',
      PROVIDER_TIMEOUT_MS: 10000,
    });
    const live = { ...base, PROVIDER_MODE: 'live' };
    expect(() => loadConfig(live)).toThrow(
      /AMADEUS_CLIENT_ID:[\s\S]*AMADEUS_CLIENT_SECRET:[\s\S]*BOOKING_API_TOKEN:[\s\S]*BOOKING_AFFILIATE_ID:/,
    );
    const complete = {
      ...live,
      AMADEUS_CLIENT_ID: 'id',
      AMADEUS_CLIENT_SECRET: 'secret',
      BOOKING_API_TOKEN: 'token',
      BOOKING_AFFILIATE_ID: '123456',
    };
    expect(loadConfig(complete)).toMatchObject({ PROVIDER_MODE: 'live', BOOKING_AFFILIATE_ID: '123456' });
    expect(() => loadConfig({ ...complete, BOOKING_AFFILIATE_ID: 'abc' })).toThrow(/BOOKING_AFFILIATE_ID:/);
  });
});
