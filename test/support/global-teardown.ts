import Redis from 'ioredis';

type Stop = () => Promise<void>;
const globals = globalThis as typeof globalThis & { __stops?: Stop[] };

export default async function globalTeardown(): Promise<void> {
  if (process.env.REDIS_URL && process.env.REDIS_KEY_PREFIX) {
    const redis = new Redis(process.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(
          cursor,
          'MATCH',
          `${process.env.REDIS_KEY_PREFIX}:*`,
          'COUNT',
          1000,
        );
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } catch {
      // a stopped Redis has nothing left to clean
    } finally {
      redis.disconnect();
    }
  }
  for (const stop of (globals.__stops ?? []).reverse()) await stop();
}
