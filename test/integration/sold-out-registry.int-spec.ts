import { randomUUID } from 'crypto';
import Redis from 'ioredis';
import { loadConfig } from '../../src/config/app-config';
import { RedisSoldOutRegistry } from '../../src/modules/inventory/infrastructure/redis-sold-out-registry';

describe('RedisSoldOutRegistry (real Redis)', () => {
  const config = loadConfig();
  const redis = new Redis(config.REDIS_URL);
  const registry = new RedisSoldOutRegistry(redis, config);
  let exists: jest.SpyInstance;

  beforeEach(() => {
    exists = jest.spyOn(redis, 'exists');
  });
  afterEach(() => exists.mockRestore());
  afterAll(() => redis.quit());

  it('64 lookups of one product asked in one turn share one EXISTS, and all see the mark', async () => {
    const product = randomUUID();
    await registry.markSoldOut(product, 5n);
    const answers = await Promise.all(Array.from({ length: 64 }, () => registry.isSoldOut(product)));
    expect(answers).toEqual(Array(64).fill(true));
    expect(exists).toHaveBeenCalledTimes(1);
  });

  it('lookups of two products in one turn are two commands, each with its own answer', async () => {
    const gone = randomUUID();
    const left = randomUUID();
    await registry.markSoldOut(gone, 1n);
    const answers = await Promise.all([
      registry.isSoldOut(gone),
      registry.isSoldOut(left),
      registry.isSoldOut(gone),
    ]);
    expect(answers).toEqual([true, false, true]);
    expect(exists).toHaveBeenCalledTimes(2);
  });

  it('a lookup asked after a restock answered sees it: no answer read before a lookup began is reused', async () => {
    const product = randomUUID();
    await registry.markSoldOut(product, 3n);
    expect(await registry.isSoldOut(product)).toBe(true);
    // Asked in the turn the restock is sent: read after it, on the same connection.
    const during = registry.isSoldOut(product);
    await registry.restocked(product, 4n);
    expect(await registry.isSoldOut(product)).toBe(false);
    expect(await during).toBe(false);
    expect(exists).toHaveBeenCalledTimes(3);
  });

  it('a lookup asked once the command is sent waits for a command of its own', async () => {
    const product = randomUUID();
    await registry.markSoldOut(product, 7n);
    const first = registry.isSoldOut(product);
    await new Promise((resolve) => setImmediate(resolve));
    // The first command is out; this one begins after it was sent and so is not answered by it.
    const second = registry.isSoldOut(product);
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(exists).toHaveBeenCalledTimes(2);
  });

  it('a registry whose Redis is gone says "not sold out", so holds go to the row', async () => {
    const gone = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
    gone.on('error', () => undefined);
    const product = randomUUID();
    await registry.markSoldOut(product, 1n);
    expect(await new RedisSoldOutRegistry(gone, config).isSoldOut(product)).toBe(false);
    gone.disconnect();
  });
});
